package dev.ferry.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.routing.RecordCodec.MalformedRecordException;
import dev.ferry.routing.RecordCodec.Versioned;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps a {@link RoutingCopy} in step with Redis: applies the change messages of the pub/sub
 * channels, and resynchronises the whole copy from a snapshot when it may have missed some.
 *
 * <p>Every versioned write publishes its version, and versions are consecutive, so a gap
 * shows a missed message. A resync is also due when the pub/sub connection comes back (what
 * was published while it was down is lost), when a message or the periodic check shows
 * another epoch (Redis lost its data), and when the periodic check finds {@code seq} ahead
 * of the copy while no message arrives. A resync subscribes first, then takes the snapshot;
 * messages that arrive meanwhile wait on the feed thread and are applied afterwards if
 * newer than the snapshot. Everything here runs on the {@link FeedThread}, except the
 * Lettuce callbacks (on Netty threads, which must not block), which only queue work for it.
 */
final class RedisChangeFeed {

    private final String store;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final RoutingCopy copy;
    private final FeedThread thread;
    private final long graceNanos;
    private final Complaints complaints;

    /** When the last resync began (System.nanoTime); a reconnect before it needs no other. */
    private volatile long lastResync = System.nanoTime();
    // Feed thread only.
    private boolean needsResync;
    private boolean outage;
    private long awaitedSeq;

    RedisChangeFeed(
            String store,
            RedisKeys keys,
            RedisScripts scripts,
            StatefulRedisConnection<String, String> commands,
            StatefulRedisPubSubConnection<String, String> pubsub,
            RoutingCopy copy,
            FeedThread thread,
            long graceNanos,
            Complaints complaints) {
        this.store = store;
        this.keys = keys;
        this.scripts = scripts;
        this.commands = commands;
        this.pubsub = pubsub;
        this.copy = copy;
        this.thread = thread;
        this.graceNanos = graceNanos;
        this.complaints = complaints;
    }

    private void complain(String fingerprint, String message) {
        complaints.once(store + '\0' + fingerprint, message);
    }

    /**
     * Subscribes and loads the copy on the calling thread, then starts the feed thread.
     *
     * @throws RuntimeException (Lettuce's) when Redis cannot be read
     */
    void start() {
        pubsub.addListener(new RedisPubSubAdapter<String, String>() {
            @Override
            public void message(String channel, String message) {
                thread.execute(() -> onMessage(channel, message));
            }
        });
        pubsub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                long at = System.nanoTime();
                // Messages published while the subscription was down are lost: reload, unless
                // a resync began after this reconnect (it subscribed and saw everything).
                thread.execute(() -> {
                    if (lastResync - at < 0) {
                        resync("the pub/sub connection reconnected");
                    }
                });
            }
        });
        commands.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                // A resync that failed because only this connection was down can go now.
                thread.execute(() -> {
                    if (needsResync) {
                        resync("the connection came back");
                    }
                });
            }
        });
        load();
        thread.start(this::tick);
    }

    // ---- the feed ----

    private void onMessage(String channel, String message) {
        if (channel.equals(keys.changesChannel())) {
            onChange(message);
        } else if (channel.equals(keys.demandChannel())) {
            onDemand(message);
        }
    }

    private void onChange(String message) {
        String epoch;
        long seq;
        RoutingCopy.Kind kind;
        String key;
        Object record;
        try {
            JsonNode n = RecordCodec.parse(message);
            epoch = RecordCodec.text(n, "epoch");
            seq = RecordCodec.longField(n, "seq");
            String label = RecordCodec.text(n, "kind");
            Optional<RoutingCopy.Kind> known = RoutingCopy.Kind.ofLabel(label);
            if (known.isEmpty()) {
                throw new MalformedRecordException("unknown kind \"" + label + "\"");
            }
            kind = known.get();
            key = RecordCodec.text(n, "key");
            JsonNode value = n.get("value");
            if (value == null) {
                throw new MalformedRecordException("no \"value\"");
            }
            if (value.isNull()) {
                record = null;
            } else {
                Versioned<Object> v = RecordCodec.versioned(kind, key, value);
                if (v.version() != seq) {
                    throw new MalformedRecordException("value version " + v.version() + " in change " + seq);
                }
                record = v.record();
            }
        } catch (MalformedRecordException e) {
            // Not applied and not counted: if it took the place of a real change, the gap
            // that leaves brings a resync.
            complain(
                    keys.changesChannel() + "\0" + message,
                    "Ignoring a malformed message on " + keys.changesChannel() + " of " + store + ": " + e.getMessage()
                            + ": " + Complaints.quote(message));
            return;
        }
        switch (copy.applyFeed(epoch, seq, kind, key, record)) {
            case GAP -> resync("change " + seq + " came after " + copy.applied());
            case OTHER_EPOCH -> onOtherEpoch(epoch);
            case APPLIED, STALE -> {}
        }
    }

    /**
     * A change of another epoch: Redis came back empty and has a new one (resync), or the
     * message is foreign. Channels are shared by all the databases of a Redis, so a cluster
     * of the same name in another database publishes on ours; Redis's epoch tells which.
     */
    private void onOtherEpoch(String messageEpoch) {
        String current;
        try {
            current = commands.sync().get(keys.epoch());
        } catch (RuntimeException e) {
            needsResync = true; // the next check or reconnect sorts it out
            return;
        }
        if (current != null && current.equals(copy.epoch())) {
            complain(
                    keys.changesChannel() + "\0epoch\0" + messageEpoch,
                    store + ": ignoring changes of epoch "
                            + messageEpoch + " on " + keys.changesChannel() + ", which is not this database's epoch "
                            + current
                            + " (does another database of this Redis hold a cluster named \"" + keys.cluster()
                            + "\"?)");
            return;
        }
        resync("a change of epoch " + messageEpoch + " arrived; the copy is of epoch " + copy.epoch());
    }

    private void onDemand(String message) {
        DemandSample sample;
        try {
            sample = RecordCodec.demand(message);
        } catch (MalformedRecordException e) {
            complain(
                    keys.demandChannel() + "\0" + message,
                    "Ignoring a malformed message on " + keys.demandChannel() + " of " + store + ": " + e.getMessage()
                            + ": " + Complaints.quote(message));
            return;
        }
        copy.applyDemand(sample);
    }

    /** The periodic check: expires orphans, retries a failed resync, and notices lost messages. */
    private void tick() {
        copy.expireOrphans(System.nanoTime());
        if (needsResync) {
            resync("retrying");
            return;
        }
        List<KeyValue<String, String>> state;
        try {
            state = commands.sync().mget(keys.seq(), keys.epoch());
        } catch (RuntimeException e) {
            return; // Redis is away; its reconnect brings a resync
        }
        String seqText = state.get(0).getValueOrElse(null);
        String epoch = state.get(1).getValueOrElse(null);
        if (epoch == null || !epoch.equals(copy.epoch())) {
            resync("the epoch is " + epoch + ", not " + copy.epoch());
            return;
        }
        long seq;
        try {
            seq = seqText == null ? 0 : Long.parseLong(seqText);
        } catch (NumberFormatException e) {
            complain(
                    keys.seq() + "\0" + seqText,
                    store + ": key " + keys.seq() + " holds " + Complaints.quote(seqText) + ", not a number");
            return;
        }
        long applied = copy.applied();
        if (seq < applied) {
            resync(keys.seq() + " went back from " + applied + " to " + seq);
        } else if (seq == applied) {
            awaitedSeq = 0;
        } else if (awaitedSeq != 0 && applied < awaitedSeq) {
            // A change seen at the last check still has not arrived: it was lost.
            resync("change " + awaitedSeq + " did not arrive");
        } else {
            awaitedSeq = seq;
        }
    }

    /** Reloads the copy; on failure, marks it due again (on reconnect or at the next check). */
    private void resync(String why) {
        try {
            load();
        } catch (RuntimeException e) {
            if (thread.isClosed()) {
                return; // the store is closing under the resync
            }
            if (!outage) {
                outage = true;
                Complaints.log(
                        Level.WARNING,
                        store + " could not be read (" + why + "): " + e
                                + "; reads answer from the last copy until it is back");
            }
            needsResync = true;
        }
    }

    private void load() {
        lastResync = System.nanoTime();
        // Subscribe first (again: harmless if Lettuce already resubscribed): once Redis has
        // confirmed, every later change reaches us, so the snapshot misses nothing.
        pubsub.sync().subscribe(keys.changesChannel(), keys.demandChannel());
        RoutingCopy.Snapshot snapshot = decode(scripts.snapshot());
        boolean dataLost = copy.resync(snapshot, System.nanoTime(), graceNanos);
        needsResync = false;
        awaitedSeq = 0;
        if (outage) {
            outage = false;
            Complaints.log(Level.INFO, store + " is back; the routing copy is resynchronised");
        }
        if (dataLost) {
            Complaints.log(
                    Level.WARNING,
                    store + " came back without its data (a new epoch): owners write their"
                            + " records again; records not written again within " + graceNanos / 1_000_000
                            + " ms are dropped");
        }
    }

    private RoutingCopy.Snapshot decode(RedisScripts.RawSnapshot raw) {
        for (String problem : raw.problems()) {
            complain("type\0" + problem, store + ": " + problem + "; reading it as empty");
        }
        long seq = 0;
        try {
            seq = Long.parseLong(raw.seq());
        } catch (NumberFormatException e) {
            complain(
                    keys.seq() + "\0" + raw.seq(),
                    store + ": key " + keys.seq() + " holds " + Complaints.quote(raw.seq())
                            + ", not a number; reading it as 0");
        }
        Map<RoutingCopy.Kind, Map<String, Versioned<Object>>> tables = new EnumMap<>(RoutingCopy.Kind.class);
        raw.hashes().forEach((kind, fields) -> {
            Map<String, Versioned<Object>> table = new LinkedHashMap<>();
            fields.forEach((field, text) -> {
                try {
                    table.put(field, RecordCodec.versioned(kind, field, text));
                } catch (MalformedRecordException e) {
                    malformed(keys.hash(kind), field, text, e);
                }
            });
            tables.put(kind, table);
        });
        Map<String, DemandSample> demand = new LinkedHashMap<>();
        raw.demand().forEach((field, text) -> {
            try {
                DemandSample sample = RecordCodec.demand(text);
                if (!sample.key().equals(field)) {
                    throw new MalformedRecordException(
                            "sample of \"" + sample.key() + "\" stored under \"" + field + "\"");
                }
                demand.put(field, sample);
            } catch (MalformedRecordException e) {
                malformed(keys.demand(), field, text, e);
            }
        });
        return new RoutingCopy.Snapshot(raw.epoch(), seq, tables, demand);
    }

    private void malformed(String hash, String field, String text, MalformedRecordException e) {
        complain(
                hash + "\0" + field + "\0" + text,
                "Ignoring field " + Complaints.quote(field) + " of " + hash + " in " + store + ": " + e.getMessage()
                        + ": " + Complaints.quote(text));
    }
}
