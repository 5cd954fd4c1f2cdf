package dev.ferry.examples;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Takes memory on request, to see a container's memory limit at work.
 *
 * <ul>
 *   <li>{@code ?mib=N} takes N MiB (at most 65536), writing every page, answers how much it
 *       holds, then lets that go again.</li>
 *   <li>{@code ?mib=N&keep=1} keeps it across calls, on top of what earlier calls kept.</li>
 *   <li>A call without {@code keep=1} also lets go of what earlier calls kept: {@code ?mib=0}
 *       frees everything.</li>
 * </ul>
 *
 * <p>The memory is not on the Java heap, because the JVM caps its heap well below a
 * container's limit (a quarter of it, by default) and would throw {@link OutOfMemoryError}
 * long before the limit. It lives in files on a memory file system ({@code /dev/shm}, else
 * the temporary directory), deleted as soon as they are open, so that only this function's
 * open channels keep them: their pages count against the container's memory just as the
 * native memory of an inference runtime would, and they are gone when the container is.
 *
 * <p>Declared with {@code memoryMib = 256}. A runc worker holds the container to that: a
 * call for more gets it killed by the kernel, and the worker reports the exit as "out of
 * memory (limit 256 MiB)". The process and bwrap sandboxes set no limit, so there the
 * machine's memory (and the size of {@code /dev/shm}) is the limit.
 */
@FerryFunction(name = "hog", memoryMib = 256)
public final class Hog implements HttpHandler {

    private static final int MIB = 1024 * 1024;

    private final Path dir = Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))
            ? Path.of("/dev/shm")
            : Path.of(System.getProperty("java.io.tmpdir"));
    // guarded by this
    private final List<FileChannel> kept = new ArrayList<>();
    // guarded by this
    private long keptMib;

    @Override
    public Response handle(Request request) {
        int mib;
        try {
            mib = Sse.intParam(request, "mib", 0, 0, 65_536);
        } catch (IllegalArgumentException e) {
            return Response.text(400, e.getMessage() + "\n");
        }
        boolean keep = request.queryParam("keep").map("1"::equals).orElse(false);
        synchronized (this) {
            FileChannel taken;
            try {
                taken = take(mib);
            } catch (IOException e) {
                return Response.text(507, "could not take " + mib + " MiB in " + dir + ": " + e.getMessage() + "\n");
            }
            String answer = "holding " + (keptMib + mib) + " MiB: " + mib + " taken now, " + keptMib
                    + " kept from earlier calls, in " + dir + "\n";
            if (keep) {
                kept.add(taken);
                keptMib += mib;
            } else {
                close(taken);
                kept.forEach(Hog::close);
                kept.clear();
                keptMib = 0;
            }
            return Response.text(200, answer);
        }
    }

    /** {@code mib} MiB in a new deleted file, every page written. */
    private FileChannel take(int mib) throws IOException {
        Path file = Files.createTempFile(dir, "ferry-hog-", ".mem");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Files.delete(file);
        try {
            byte[] ones = new byte[MIB];
            Arrays.fill(ones, (byte) 1);
            ByteBuffer chunk = ByteBuffer.wrap(ones);
            for (int i = 0; i < mib; i++) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
            return channel;
        } catch (IOException e) {
            close(channel);
            throw e;
        }
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a file that is already deleted frees it either way
        }
    }
}
