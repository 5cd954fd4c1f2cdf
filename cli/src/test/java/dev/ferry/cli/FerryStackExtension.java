package dev.ferry.cli;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real {@link FerryStack} per test class and stops it after, checking that no
 * container process outlives it. Tests get the stack as a parameter.
 */
final class FerryStackExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FerryStackExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        context.getStore(NS).put(FerryStack.class, new FerryStack(Duration.ofSeconds(30)));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        FerryStack stack = context.getStore(NS).remove(FerryStack.class, FerryStack.class);
        stack.close();
        if (!stack.livePids().isEmpty()) {
            throw new AssertionError("container processes left behind after the stack stopped: " + stack.livePids());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FerryStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).get(FerryStack.class, FerryStack.class);
    }
}
