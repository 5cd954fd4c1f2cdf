package dev.ferry.perf.bench;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread of its own that, when given a job, sends one request to one gateway again and again
 * on a keep-alive connection until the gateway answers the status the job waits for, and idles
 * between jobs: how {@link RoutePropagation} sees a route arrive (404 until 200) and
 * {@link RevocationPropagation} a token leave (200 until 401).
 */
final class GatewayPoller implements Runnable {

    /** What one gateway saw in one job: the first answer {@code wanted}, or none by the deadline. */
    record Seen(
            boolean ok,
            long okNanos,
            long polls,
            long pollingNanos,
            long otherStatuses,
            long ioErrors,
            String lastProblem) {}

    private record Job(
            byte[] request,
            int wanted,
            int waiting,
            long deadline,
            CountDownLatch polling,
            CompletableFuture<Seen> done) {}

    private static final Job STOP = new Job(new byte[0], 0, 0, 0, null, null);

    private final ClusterNodes.Gateway gateway;
    private final long pollIntervalNanos;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final BlockingHttp http;

    /** A poller of {@code gateway}, started on a daemon thread named {@code threadName}. */
    static GatewayPoller start(ClusterNodes.Gateway gateway, long pollIntervalNanos, String threadName) {
        GatewayPoller poller = new GatewayPoller(gateway, pollIntervalNanos);
        Thread.ofPlatform().daemon().name(threadName).start(poller);
        return poller;
    }

    private GatewayPoller(ClusterNodes.Gateway gateway, long pollIntervalNanos) {
        this.gateway = gateway;
        this.pollIntervalNanos = pollIntervalNanos;
        this.http = new BlockingHttp(gateway.httpPort());
    }

    ClusterNodes.Gateway gateway() {
        return gateway;
    }

    /**
     * Sends {@code request} until the gateway answers {@code wanted} or {@code deadline}
     * (System.nanoTime) passes; {@code waiting} is the status expected meanwhile (any other
     * counts as a problem). {@code polling} counts down once the first answer came.
     */
    CompletableFuture<Seen> submit(byte[] request, int wanted, int waiting, long deadline, CountDownLatch polling) {
        CompletableFuture<Seen> done = new CompletableFuture<>();
        jobs.add(new Job(request, wanted, waiting, deadline, polling, done));
        return done;
    }

    void stop() {
        jobs.add(STOP);
    }

    @Override
    public void run() {
        try {
            while (true) {
                Job job = jobs.take();
                if (job == STOP) {
                    return;
                }
                try {
                    job.done().complete(poll(job));
                } catch (RuntimeException e) {
                    job.polling().countDown();
                    job.done().completeExceptionally(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            http.close();
        }
    }

    private Seen poll(Job job) {
        long polls = 0;
        long others = 0;
        long errors = 0;
        String problem = null;
        boolean first = true;
        long began = System.nanoTime();
        while (true) {
            int status;
            // The answer counts from when its request was sent: the gateway knew by then, and
            // the function's own time to answer is not propagation.
            long sent = System.nanoTime();
            try {
                status = http.send(job.request());
            } catch (IOException e) {
                status = -1;
                errors++;
                problem = "gateway " + gateway.id() + ": " + e;
            }
            long now = System.nanoTime();
            polls++;
            if (first) {
                first = false;
                job.polling().countDown();
            }
            if (status == job.wanted()) {
                return new Seen(true, sent, polls, now - began, others, errors, problem);
            }
            if (status > 0 && status != job.waiting()) {
                others++;
                problem = "status " + status;
            }
            if (now - job.deadline() > 0) {
                return new Seen(false, 0, polls, now - began, others, errors, problem);
            }
            if (status < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // not a tight loop on a refused connection
            } else if (pollIntervalNanos > 0) {
                LockSupport.parkNanos(pollIntervalNanos);
            }
        }
    }
}
