package dev.ferry.scheduler;

import dev.ferry.request.protocol.GpuRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What {@link Scheduler#place} decided for one container: a worker, or why there is none. */
public sealed interface Decision {

    /**
     * Start the container on {@code node}.
     *
     * @param node the worker's id
     * @param gpus the indices of the GPUs to give it on that worker, ascending; empty for none
     * @param gpu the request of the demand's fallback list that these GPUs serve; empty when
     *     the demand asked for no GPU
     */
    record Placed(String node, List<Integer> gpus, Optional<GpuRequest> gpu) implements Decision {
        public Placed {
            Objects.requireNonNull(node, "node");
            gpus = List.copyOf(gpus);
            Objects.requireNonNull(gpu, "gpu");
        }
    }

    /**
     * No worker can take the container now.
     *
     * @param reason why, short and safe to show the function's owner, naming what was asked:
     *     {@code no worker has gpu H100:2}; see {@link Scheduler} for every form
     */
    record Unschedulable(String reason) implements Decision {
        public Unschedulable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
