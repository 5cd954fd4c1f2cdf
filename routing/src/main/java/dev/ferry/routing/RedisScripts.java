package dev.ferry.routing;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Lua scripts of the Redis store. Each write is one script so that Redis runs it
 * atomically: making sure the epoch exists, taking the next version from {@code seq},
 * storing the record with that version and publishing the change all happen together, so
 * changes are published in version order and no reader sees a version without its message.
 *
 * <p>Scripts run by EVALSHA, falling back to EVAL when Redis does not know them yet (after a
 * restart, or on first use), which also loads them.
 */
final class RedisScripts {

    /** The result of a versioned write: the store's epoch and the write's version, 0 if nothing changed. */
    record Written(String epoch, long seq) {}

    /** The raw snapshot: hash fields to their stored text, and the keys that were of the wrong type. */
    record RawSnapshot(
            String epoch,
            String seq,
            Map<RoutingCopy.Kind, Map<String, String>> hashes,
            Map<String, String> demand,
            List<String> problems) {}

    // Fails before changing anything when a key holds the wrong type, so that a write either
    // happens whole (stored, versioned and published) or not at all.
    private static final String CHECK_TYPES = """
            local function wrongType(key, want)
              local t = redis.call('TYPE', key)['ok']
              if t ~= 'none' and t ~= want then
                return 'ferry: key ' .. key .. ' holds a ' .. t .. ' where Ferry keeps a ' .. want
                    .. ' (delete the key, or use another cluster name)'
              end
              return nil
            end
            """;

    /**
     * KEYS: epoch, seq, hash. ARGV: epoch candidate, changes channel, kind, field, record
     * JSON ('' removes). Returns {epoch, seq}; seq 0 when a removal found nothing.
     */
    private static final Script WRITE = new Script(CHECK_TYPES + """
            local problem = wrongType(KEYS[1], 'string') or wrongType(KEYS[2], 'string') or wrongType(KEYS[3], 'hash')
            if problem then return redis.error_reply(problem) end
            local current = redis.call('GET', KEYS[2])
            if current and not tonumber(current) then
              return redis.error_reply('ferry: key ' .. KEYS[2] .. ' holds "' .. current .. '", not a number')
            end
            redis.call('SET', KEYS[1], ARGV[1], 'NX')
            local epoch = redis.call('GET', KEYS[1])
            if ARGV[5] == '' and redis.call('HDEL', KEYS[3], ARGV[4]) == 0 then
              return {epoch, 0}
            end
            local seq = redis.call('INCR', KEYS[2])
            local value = 'null'
            if ARGV[5] ~= '' then
              value = '{"v":' .. string.format('%d', seq) .. ',"r":' .. ARGV[5] .. '}'
              redis.call('HSET', KEYS[3], ARGV[4], value)
            end
            redis.call('PUBLISH', ARGV[2], '{"epoch":' .. cjson.encode(epoch) .. ',"seq":' .. string.format('%d', seq)
                .. ',"kind":"' .. ARGV[3] .. '","key":' .. cjson.encode(ARGV[4]) .. ',"value":' .. value .. '}')
            return {epoch, seq}
            """);

    /**
     * KEYS: epoch, seq, demand, then the hash of each versioned kind. ARGV: epoch candidate.
     * Returns {epoch, seq, demand, each kind's hash..., problems}: each hash as HGETALL's flat
     * list, a key of the wrong type as empty (and named in problems).
     */
    private static final Script SNAPSHOT = new Script("""
            local problems = {}
            local function typeOf(key, want)
              local t = redis.call('TYPE', key)['ok']
              if t ~= 'none' and t ~= want then
                table.insert(problems, 'key ' .. key .. ' holds a ' .. t .. ' where Ferry keeps a ' .. want)
              end
              return t
            end
            local epoch = ''
            local t = typeOf(KEYS[1], 'string')
            if t == 'none' then
              redis.call('SET', KEYS[1], ARGV[1])
              epoch = ARGV[1]
            elseif t == 'string' then
              epoch = redis.call('GET', KEYS[1])
            end
            local seq = '0'
            if typeOf(KEYS[2], 'string') == 'string' then seq = redis.call('GET', KEYS[2]) end
            local out = {epoch, seq}
            for i = 3, #KEYS do
              if typeOf(KEYS[i], 'hash') == 'hash' then out[i] = redis.call('HGETALL', KEYS[i]) else out[i] = {} end
            end
            out[#KEYS + 1] = problems
            return out
            """);

    /**
     * KEYS: demand hash. ARGV: field, sample JSON, its sampledAt (fixed-width, so it compares
     * as text), demand channel. Keeps a stored sample that is newer. Returns 1 if stored.
     */
    private static final Script DEMAND = new Script(CHECK_TYPES + """
            local problem = wrongType(KEYS[1], 'hash')
            if problem then return redis.error_reply(problem) end
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            if old then
              local ok, sample = pcall(cjson.decode, old)
              if ok and type(sample) == 'table' and type(sample.sampledAt) == 'string' and sample.sampledAt > ARGV[3] then
                return 0
              end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('PUBLISH', ARGV[4], ARGV[2])
            return 1
            """);

    /**
     * KEYS: demand. ARGV: a time (as {@link RecordCodec#instant}, fixed width, so text order is
     * time order). Deletes the samples taken before it and returns how many. A sample that
     * does not decode is left alone: it may be a newer peer's.
     */
    private static final Script PRUNE_DEMAND = new Script(CHECK_TYPES + """
            local problem = wrongType(KEYS[1], 'hash')
            if problem then return redis.error_reply(problem) end
            local gone = 0
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local ok, sample = pcall(cjson.decode, all[i + 1])
              if ok and type(sample) == 'table' and type(sample.sampledAt) == 'string' and sample.sampledAt < ARGV[1] then
                redis.call('HDEL', KEYS[1], all[i])
                gone = gone + 1
              end
            end
            return gone
            """);

    /** KEYS: leader. ARGV: candidate, lease in ms. Returns 1 if the candidate holds the lease. */
    private static final Script ACQUIRE = new Script("""
            local holder = redis.call('GET', KEYS[1])
            if not holder then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            if holder == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
            end
            return 0
            """);

    /** KEYS: leader. ARGV: candidate. Deletes the lease only if the candidate holds it. */
    private static final Script RELEASE = new Script("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    private final RedisCommands<String, String> redis;
    private final RedisKeys keys;

    RedisScripts(RedisCommands<String, String> redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Stores {@code json} (null: removes) as {@code field} of {@code kind}'s hash, versioned and published. */
    Written write(RoutingCopy.Kind kind, String field, String json) {
        List<Object> r = run(
                WRITE,
                ScriptOutputType.MULTI,
                new String[] {keys.epoch(), keys.seq(), keys.hash(kind)},
                newEpoch(),
                keys.changesChannel(),
                kind.label,
                field,
                json == null ? "" : json);
        return new Written((String) r.get(0), (Long) r.get(1));
    }

    RawSnapshot snapshot() {
        RoutingCopy.Kind[] kinds = RoutingCopy.Kind.values();
        String[] k = new String[3 + kinds.length];
        k[0] = keys.epoch();
        k[1] = keys.seq();
        k[2] = keys.demand();
        for (int i = 0; i < kinds.length; i++) {
            k[3 + i] = keys.hash(kinds[i]);
        }
        List<Object> r = run(SNAPSHOT, ScriptOutputType.MULTI, k, newEpoch());
        Map<RoutingCopy.Kind, Map<String, String>> hashes = new EnumMap<>(RoutingCopy.Kind.class);
        for (int i = 0; i < kinds.length; i++) {
            hashes.put(kinds[i], pairs(r.get(3 + i)));
        }
        List<String> problems = new ArrayList<>();
        for (Object p : (List<?>) r.get(3 + kinds.length)) {
            problems.add(String.valueOf(p));
        }
        return new RawSnapshot(String.valueOf(r.get(0)), String.valueOf(r.get(1)), hashes, pairs(r.get(2)), problems);
    }

    /** Stores {@code json}, the form of {@code sample}, unless a newer sample of its key is stored. */
    boolean recordDemand(DemandSample sample, String json) {
        Long stored = run(
                DEMAND,
                ScriptOutputType.INTEGER,
                new String[] {keys.demand()},
                sample.key(),
                json,
                RecordCodec.instant(sample.sampledAt()),
                keys.demandChannel());
        return stored == 1;
    }

    /** Deletes the demand samples taken before {@code before}; returns how many. */
    long pruneDemand(Instant before) {
        Long gone =
                run(PRUNE_DEMAND, ScriptOutputType.INTEGER, new String[] {keys.demand()}, RecordCodec.instant(before));
        return gone;
    }

    boolean acquireLeadership(String candidate, long leaseMillis) {
        Long held = run(
                ACQUIRE, ScriptOutputType.INTEGER, new String[] {keys.leader()}, candidate, Long.toString(leaseMillis));
        return held == 1;
    }

    void releaseLeadership(String candidate) {
        run(RELEASE, ScriptOutputType.INTEGER, new String[] {keys.leader()}, candidate);
    }

    /**
     * A fresh random epoch for each call: if Redis comes back empty, whichever write or
     * resync touches it first sets a new epoch, never the one it had.
     */
    private static String newEpoch() {
        return UUID.randomUUID().toString();
    }

    private <T> T run(Script script, ScriptOutputType type, String[] keys, String... args) {
        try {
            return redis.evalsha(script.sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(script.text, type, keys, args);
        }
    }

    private static Map<String, String> pairs(Object flat) {
        List<?> list = (List<?>) flat;
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
        }
        return map;
    }

    /** A script and its SHA-1, the name EVALSHA knows it by. */
    private record Script(String text, String sha) {
        Script(String text) {
            this(text, sha1(text));
        }

        private static String sha1(String text) {
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JVM", e);
            }
        }
    }
}
