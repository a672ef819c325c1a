package dev.redlock.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import dev.redlock.protocol.LockReplies;

/**
 * A Redlock member held in this process's memory, for tests: one key space in which lock keys
 * expire on {@link System#nanoTime()}, fencing counters, and the arming marker, ticket and
 * registry, each operation atomic (synchronized) as the node's Lua scripts are. What it must do is
 * {@link LockNodeContract}; {@link #restartEmpty} stands for a restart without persistence.
 * ({@code SimulatedNode} models the same replies, but on the simulation's virtual clock and event
 * queue, answering through it; this one answers at once.)
 */
public final class InMemoryLockNode implements LockNode, FencedNode, ArmableNode {

	/** How long an arming ticket lives, as on a Redis node. */
	private static final long TICKET_MILLIS = 60_000;

	private record Entry(String value, long expiresAtNanos) {

		boolean liveAt(long now) {
			return this.expiresAtNanos == Long.MAX_VALUE || now - this.expiresAtNanos < 0;
		}

	}

	private final String name;

	private final Map<String, Entry> keys = new HashMap<>();

	private String runId = newRunId();

	private final long startedAt = System.nanoTime();

	private Keys arming;

	/**
	 * A member that is up, empty and not required to be armed.
	 * @param name its name
	 */
	public InMemoryLockNode(String name) {
		this.name = name;
	}

	private static String newRunId() {
		return UUID.randomUUID().toString().replace("-", "");
	}

	/** Loses every key and starts a new incarnation, as a restart without persistence does. */
	public synchronized void restartEmpty() {
		this.keys.clear();
		this.runId = newRunId();
	}

	@Override
	public String name() {
		return this.name;
	}

	private String get(String key) {
		Entry entry = this.keys.get(key);
		if (entry != null && !entry.liveAt(System.nanoTime())) {
			this.keys.remove(key);
			return null;
		}
		return (entry != null) ? entry.value() : null;
	}

	private void set(String key, String value, long ttlMillis) {
		long expiresAt = (ttlMillis > 0) ? System.nanoTime() + Duration.ofMillis(ttlMillis).toNanos() : Long.MAX_VALUE;
		this.keys.put(key, new Entry(value, expiresAt));
	}

	private long counter(String key) {
		String value = get(key);
		return (value != null) ? Long.parseLong(value) : 0L;
	}

	/** What an armed script replies first: {@link LockReplies#NOT_ARMED} without the marker. */
	private void requireMarker() {
		if (this.arming != null && get(this.arming.marker()) == null) {
			LockReplies.armed(LockReplies.NOT_ARMED);
		}
	}

	@Override
	public synchronized boolean tryAcquire(List<String> lockKeys, String token, long ttlMillis) {
		requireMarker();
		if (lockKeys.stream().anyMatch((key) -> get(key) != null)) {
			return false;
		}
		lockKeys.forEach((key) -> set(key, token, ttlMillis));
		return true;
	}

	@Override
	public synchronized boolean release(List<String> lockKeys, String token) {
		int deleted = 0;
		for (String key : lockKeys) {
			if (token.equals(get(key))) {
				this.keys.remove(key);
				deleted++;
			}
		}
		return deleted == lockKeys.size();
	}

	@Override
	public synchronized boolean extend(List<String> lockKeys, String token, long ttlMillis) {
		if (!lockKeys.stream().allMatch((key) -> token.equals(get(key)))) {
			return false;
		}
		lockKeys.forEach((key) -> set(key, token, ttlMillis));
		return true;
	}

	@Override
	public synchronized long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
		requireMarker();
		if (get(key) != null) {
			return LockReplies.REFUSED;
		}
		set(key, token, ttlMillis);
		return counter(counterKey);
	}

	@Override
	public synchronized boolean raiseFence(String key, String token, String counterKey, long value) {
		if (!token.equals(get(key))) {
			return false;
		}
		raise(counterKey, value);
		return true;
	}

	private void raise(String counterKey, long value) {
		if (counter(counterKey) < value) {
			set(counterKey, Long.toString(value), 0);
		}
	}

	@Override
	public synchronized void requireArming(Keys keys) {
		this.arming = keys;
	}

	private Keys armingKeys() {
		if (this.arming == null) {
			throw new IllegalStateException("arming is not required on this node");
		}
		return this.arming;
	}

	@Override
	public synchronized String armedIncarnation() {
		return get(armingKeys().marker());
	}

	@Override
	public synchronized String beginArming() {
		String ticket = Long.toHexString(ThreadLocalRandom.current().nextLong());
		set(armingKeys().ticket(), ticket, TICKET_MILLIS);
		return ticket;
	}

	@Override
	public synchronized void abandonArming(String ticket) {
		if (ticket.equals(get(armingKeys().ticket()))) {
			this.keys.remove(armingKeys().ticket());
		}
	}

	@Override
	public synchronized boolean isBeingArmed() {
		return get(armingKeys().ticket()) != null;
	}

	@Override
	public synchronized boolean arm(String ticket, String runId) {
		Keys current = armingKeys();
		if (!ticket.equals(get(current.ticket()))) {
			return false;
		}
		set(current.marker(), (runId != null) ? runId : "armed", 0);
		this.keys.remove(current.ticket());
		return true;
	}

	@Override
	public synchronized Map<String, String> readRegistry() {
		String prefix = armingKeys().registryPrefix();
		Map<String, String> registry = new LinkedHashMap<>();
		for (String key : List.copyOf(this.keys.keySet())) {
			String value = get(key);
			if (key.startsWith(prefix) && value != null) {
				registry.put(key.substring(prefix.length()), value);
			}
		}
		return registry;
	}

	@Override
	public synchronized void writeRegistry(Map<String, String> entries, boolean overwrite) {
		String prefix = armingKeys().registryPrefix();
		entries.forEach((node, value) -> {
			if (overwrite || get(prefix + node) == null) {
				set(prefix + node, value, 0);
			}
		});
	}

	@Override
	public synchronized boolean readFencingCounters(String prefix, String suffix, Consumer<Map<String, Long>> batch) {
		if (get(armingKeys().marker()) == null) {
			return false;
		}
		Map<String, Long> counters = new LinkedHashMap<>();
		for (String key : List.copyOf(this.keys.keySet())) {
			String value = get(key);
			if (value != null && key.startsWith(prefix) && key.endsWith(suffix) && value.matches("-?\\d{1,18}")) {
				counters.put(key, Long.parseLong(value));
			}
		}
		if (!counters.isEmpty()) {
			batch.accept(counters);
		}
		return true;
	}

	@Override
	public synchronized void raiseFencingCounters(Map<String, Long> counters) {
		counters.forEach(this::raise);
	}

	/** Reads its incarnation and arming, and sets and deletes the canary, as a Redis node's probe does. */
	@Override
	public synchronized NodeStatus probe(String canaryKey) {
		String marker = (this.arming != null) ? get(this.arming.marker()) : null;
		Boolean armed = (this.arming != null) ? Boolean.valueOf(this.runId.equals(marker)) : null;
		Duration uptime = Duration.ofNanos(System.nanoTime() - this.startedAt);
		String problem = "";
		boolean lockable = false;
		if (Boolean.FALSE.equals(armed)) {
			problem = "the node is not armed yet";
		}
		else {
			String token = Long.toHexString(ThreadLocalRandom.current().nextLong());
			lockable = tryAcquire(List.of(canaryKey), token, 10_000) && release(List.of(canaryKey), token);
			problem = lockable ? "" : "the canary lock could not be set and deleted";
		}
		return new NodeStatus(this.name, true, lockable, Duration.ZERO, "in-memory", "master", uptime, this.runId,
				problem, false, null, armed);
	}

	@Override
	public void close() {
	}

	@Override
	public String toString() {
		return "InMemoryLockNode[" + this.name + "]";
	}

}
