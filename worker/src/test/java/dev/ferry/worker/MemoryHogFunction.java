package dev.ferry.worker;

import dev.ferry.function.runtime.FerryFunction;
import dev.ferry.function.runtime.HttpHandler;
import dev.ferry.function.runtime.OnStart;
import dev.ferry.function.runtime.Request;
import dev.ferry.function.runtime.Response;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A test function that takes memory on the Java heap until it is killed, 1 MiB at a time,
 * touching every page. Run with a heap ceiling above the container's memory limit (-Xmx), so
 * that the kernel's limit, not the JVM's, is hit. When {@link #START_MIB} is set it does so
 * while starting; when {@link #TRIGGER_PORT} is set it connects there once started and takes
 * as many MiB as the int it reads says, so a test decides when.
 */
@FerryFunction(name = "memory-hog")
public class MemoryHogFunction implements HttpHandler {

    static final String START_MIB = "FERRY_TEST_HOG_START_MIB";
    static final String TRIGGER_PORT = "FERRY_TEST_HOG_PORT";

    private static final List<byte[]> held = new ArrayList<>();

    @OnStart
    public void start() {
        String startMib = System.getenv(START_MIB);
        if (startMib != null) {
            take(Integer.parseInt(startMib));
        }
        String port = System.getenv(TRIGGER_PORT);
        if (port != null) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(port))) {
                    take(new DataInputStream(socket.getInputStream()).readInt());
                } catch (IOException e) {
                    e.printStackTrace();
                }
            });
        }
    }

    private static void take(int mib) {
        for (int i = 0; i < mib; i++) {
            byte[] chunk = new byte[1024 * 1024];
            for (int page = 0; page < chunk.length; page += 4096) {
                chunk[page] = 1;
            }
            synchronized (held) {
                held.add(chunk);
            }
        }
        System.out.println("memory-hog holds " + mib + " MiB");
    }

    @Override
    public Response handle(Request request) {
        return Response.text(200, "ok");
    }
}
