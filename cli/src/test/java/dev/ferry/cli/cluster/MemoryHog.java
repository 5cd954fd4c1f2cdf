package dev.ferry.cli.cluster;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.lang.reflect.Field;

/**
 * Allocates and touches {@code ?mib=} MiB of native memory, then frees it and answers how much
 * it held. Native, not heap (through sun.misc.Unsafe, as the build targets Java 21, where
 * java.lang.foreign is a preview): the JVM sizes its heap below the container's limit and
 * would throw OutOfMemoryError itself, where this must reach the kernel's limit. Limited to 256 MiB
 * and to workers labelled {@code sandbox=runc}, where the limit is enforced.
 */
@FerryFunction(name = "hog", maxInputs = 4, memoryMib = 256, scaledownWindow = "600s", workerLabels = "sandbox=runc")
public final class MemoryHog implements HttpHandler {

    private static final sun.misc.Unsafe UNSAFE;

    static {
        try {
            Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            UNSAFE = (sun.misc.Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Response handle(Request request) {
        String mib = request.query().replaceFirst("^.*mib=(\\d+).*$", "$1");
        int n = mib.isEmpty() || !mib.chars().allMatch(Character::isDigit) ? 1 : Integer.parseInt(mib);
        long bytes = (long) n * 1024 * 1024;
        long address = UNSAFE.allocateMemory(bytes);
        try {
            for (long at = 0; at < bytes; at += 4096) {
                UNSAFE.putByte(address + at, (byte) 1); // touch every page, so the memory is really used
            }
        } finally {
            UNSAFE.freeMemory(address);
        }
        return Response.text(200, "held " + n + " MiB\n");
    }
}
