package dev.ferry.function.runtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public no-argument method of a function class to run once per container, before
 * the container reports ready and takes its first input (load a model, open a pool). If it
 * throws, the container does not start and the reason goes to its log.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnStart {}
