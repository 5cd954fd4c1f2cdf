/**
 * How every Ferry process logs. Code logs through {@link java.lang.System.Logger}
 * ({@code System.getLogger(TheClass.class.getName())}), which the JDK backs with
 * {@code java.util.logging}, as are Netty, gRPC and (through slf4j-jdk14) Lettuce.
 * {@link dev.ferry.logging.FerryLogging#install} sets that up once per process: one line per
 * record on standard error, naming the time, the level and the process's role, and the levels
 * from {@code -Dferry.log.level} or {@code $FERRY_LOG_LEVEL}.
 *
 * <p>No dependencies: the function runtime, which user code compiles against, uses it too.
 */
package dev.ferry.logging;
