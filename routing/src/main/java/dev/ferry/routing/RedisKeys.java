package dev.ferry.routing;

import java.util.regex.Pattern;

/**
 * The names of one cluster's keys and channels. Every name starts with
 * {@code ferry:<cluster>:}, so several clusters (or a test per namespace) share one Redis.
 * README.md in this module documents the schema.
 */
record RedisKeys(String cluster) {

    private static final Pattern CLUSTER = Pattern.compile("[a-z0-9-]{1,40}");

    RedisKeys {
        if (cluster == null || !CLUSTER.matcher(cluster).matches()) {
            throw new IllegalArgumentException("cluster: " + (cluster == null ? null : '"' + cluster + '"')
                    + " (expected: 1-40 lower-case letters, digits and hyphens, e.g. \"default\")");
        }
    }

    String prefix() {
        return "ferry:" + cluster + ":";
    }

    /** The version counter: INCR'd by every versioned write. */
    String seq() {
        return prefix() + "seq";
    }

    /** A random id set when Redis is first written: a new one means Redis lost its data. */
    String epoch() {
        return prefix() + "epoch";
    }

    /** The hash of one kind of versioned record. */
    String hash(RoutingCopy.Kind kind) {
        return prefix() + kind.hash;
    }

    /** The hash of demand samples, by {@link DemandSample#key()}. */
    String demand() {
        return prefix() + "demand";
    }

    String jar(String digest) {
        return prefix() + "jar:" + digest;
    }

    String leader() {
        return prefix() + "leader";
    }

    /** The channel of versioned changes. */
    String changesChannel() {
        return prefix() + "changes";
    }

    /** The channel of demand samples (channels and keys are separate namespaces in Redis). */
    String demandChannel() {
        return prefix() + "demand";
    }
}
