package dev.ferry.scheduler;

/** The GPUs of one model on one node: what a GPU request is matched against. */
final class GpuPool {

    final NodeState node;
    final String model;
    final int total;
    int free;

    GpuPool(NodeState node, String model, int total) {
        this.node = node;
        this.model = model;
        this.total = total;
        this.free = total;
    }
}
