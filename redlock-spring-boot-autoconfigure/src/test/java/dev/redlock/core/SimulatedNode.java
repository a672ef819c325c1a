package dev.redlock.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated Redis master: keys with a time to live on the node's own clock (which may run at
 * another rate than the simulation's), a {@code run_id} per incarnation, and exactly what the
 * engine's Lua scripts do ({@code protocol/LockScripts}): {@code SET NX PX}, the armed acquire
 * that refuses without the marker, the fenced acquire that reads the counter, raise-fence only
 * while the key holds the token, compare-and-delete, compare-and-{@code PEXPIRE}, counters raised
 * and never lowered, and the arming marker, ticket and registry. Faults: down (refusing or
 * silent), paused (requests answered late, keys keep expiring), slow, losing replies, restarted
 * empty, and failed over to a replica (which lacks the writes of the last moments).
 */
final class SimulatedNode {

	/** Redis' {@code SET ... PX} and {@code PEXPIRE} keep milliseconds. */
	private static final long MS = 1_000_000L;

	/** How long an arming ticket lives ({@code JedisArming}). */
	private static final long TICKET_MILLIS = 60_000;

	/** A key's value and the node-clock millisecond after which it is gone. */
	private static final class Entry {

		final String value;

		long expiresAtMs;

		Entry(String value, long expiresAtMs) {
			this.value = value;
			this.expiresAtMs = expiresAtMs;
		}

	}

	final int index;

	final String name;

	private final EngineSimulation sim;

	private final SplittableRandom random;

	private final long baseLatency;

	/** The node's clock: {@code anchorNode + (simNow - anchorSim) × rate}. */
	private double rate = 1.0;

	/** When the clock last jumped forward, or {@code Long.MIN_VALUE}. */
	private long jumpedAt = Long.MIN_VALUE;

	private long anchorSim;

	private long anchorNode;

	private int incarnation;

	private String runId;

	private long startedAtNode;

	private final Map<String, Entry> locks = new HashMap<>();

	private final Map<String, Long> counters = new HashMap<>();

	private final Map<String, String> registry = new LinkedHashMap<>();

	private String marker;

	/** Whether the node lost its data and has not been armed since. */
	private boolean emptied;

	private long restartedAt;

	private Entry ticket;

	private long downUntil;

	private boolean refusesWhileDown;

	private long pausedUntil;

	private long slowUntil;

	private long extraDelay;

	private long lossyUntil;

	private double lossRate;

	/** Its release channel, which announced releases reach the engines listening through. */
	final SimulatedAnnouncements announcements;

	/** The writes a replica may not have received yet. */
	private final SimulatedReplication unreplicated = new SimulatedReplication();

	SimulatedNode(EngineSimulation sim, int index, SplittableRandom random) {
		this.sim = sim;
		this.index = index;
		this.name = "node-" + index;
		this.random = random;
		this.baseLatency = 100_000 + random.nextLong(300_000);
		this.announcements = new SimulatedAnnouncements(this, sim);
		this.anchorSim = sim.now();
		// node clocks do not agree on the time, only (about) on its rate
		this.anchorNode = 1_700_000_000_000L * MS + random.nextLong(3_600_000L * MS);
		newIncarnation();
	}

	private void newIncarnation() {
		this.incarnation++;
		this.runId = this.name + "-run-" + this.incarnation;
		this.startedAtNode = nodeNanos();
	}

	long nodeNanos() {
		return this.anchorNode + (long) ((this.sim.now() - this.anchorSim) * this.rate);
	}

	private long nowMs() {
		return Math.floorDiv(nodeNanos(), MS);
	}

	// ---- faults, set by SimulatedFaults ----

	void setRate(double newRate) {
		this.anchorNode = nodeNanos();
		this.anchorSim = this.sim.now();
		this.rate = newRate;
	}

	double rate() {
		return this.rate;
	}

	/** The node's wall clock steps by {@code nanos} (forward if positive), as an NTP step would. */
	void jump(long nanos) {
		this.anchorNode += nanos;
		if (nanos > 0) {
			this.jumpedAt = this.sim.now();
		}
	}

	/** Whether the clock jumped forward less than {@code holdOutNanos} ago: keys may have expired early. */
	boolean jumpedRecently(long holdOutNanos) {
		return this.jumpedAt != Long.MIN_VALUE && this.sim.now() - this.jumpedAt < holdOutNanos;
	}

	void goDown(long until, boolean refusing) {
		if (this.sim.tracing()) {
			this.sim.trace(null, this.name + " down for " + (until - this.sim.now()) / 1e6 + "ms, refusing " + refusing);
		}
		this.downUntil = until;
		this.refusesWhileDown = refusing;
	}

	void pause(long until) {
		if (this.sim.tracing()) {
			this.sim.trace(null, this.name + " paused for " + (until - this.sim.now()) / 1e6 + "ms");
		}
		this.pausedUntil = until;
	}

	void slowDown(long until, long delay) {
		this.slowUntil = until;
		this.extraDelay = delay;
	}

	void loseReplies(long until, double rate) {
		this.lossyUntil = until;
		this.lossRate = rate;
	}

	/** A restart without persistence: a new run id, every key gone, down until {@code until}. */
	void restartEmpty(long until) {
		if (this.sim.tracing()) {
			this.sim.trace(null, this.name + " restarts empty");
		}
		this.locks.clear();
		this.counters.clear();
		this.registry.clear();
		this.marker = null;
		this.ticket = null;
		this.unreplicated.forget();
		this.emptied = true;
		this.restartedAt = this.sim.now();
		goDown(until, true);
		newIncarnation();
	}

	boolean isDown() {
		return this.sim.now() < this.downUntil;
	}

	boolean isPaused() {
		return this.sim.now() < this.pausedUntil;
	}

	boolean isSlow() {
		return this.sim.now() < this.slowUntil;
	}

	boolean losesReplies() {
		return this.sim.now() < this.lossyUntil;
	}

	/**
	 * A failover (Sentinel promoting a replica): the master fails, and after {@code until} a replica
	 * that has been up for {@code replicaUptime} takes over with its data, marker included, and a run
	 * id of its own, but without the writes of the last {@code lag} (asynchronous replication). Its
	 * clock is the former master's (expiry times travel as absolute times, as Redis 7 sends them).
	 */
	void failover(long until, boolean refusing, long lag, long replicaUptime) {
		if (this.sim.tracing()) {
			this.sim.trace(null, this.name + " fails over, losing " + lag / 1e6 + "ms of writes");
		}
		Map<String, String> held = new HashMap<>();
		for (String key : List.copyOf(this.locks.keySet())) {
			Entry entry = live(key);
			if (entry != null) {
				held.put(key, entry.value);
			}
		}
		this.unreplicated.rollBack(this.sim.now() - lag);
		held.forEach((key, token) -> this.sim.tally.keysLostInFailovers += holds(key, token) ? 0 : 1);
		goDown(until, refusing);
		this.incarnation++;
		if (this.sim.config().failoversSeen()) {
			// it lacks data until it is armed again
			this.emptied = true;
			this.restartedAt = this.sim.now();
			this.runId = this.name + "-replica-" + this.incarnation;
			this.startedAtNode = nodeNanos() - replicaUptime;
		}
	}

	/** Whether the marker names this incarnation, as the probe tells it ({@code NodeProbe}). */
	boolean isArmed() {
		return this.runId.equals(this.marker);
	}

	/** Whether there is a marker at all, as the armed lock scripts and the counters' reader check it. */
	boolean hasMarker() {
		return this.marker != null;
	}

	/** The run id the marker names ({@code GET} of the marker), or {@code null}. */
	String armedIncarnation() {
		return this.marker;
	}

	String runId() {
		return this.runId;
	}

	int incarnation() {
		return this.incarnation;
	}

	/**
	 * Whether the node does not keep its data now: restarted empty and, with the restart guard,
	 * not armed (restored) again yet; without the guard, for the hold-out after the restart.
	 */
	boolean lostData(boolean guard, long holdOutNanos) {
		return this.emptied && (guard || this.sim.now() - this.restartedAt < holdOutNanos);
	}

	/** One way of a message: the node's latency, a little jitter, more while it is slow. */
	long latency() {
		long jitter = (long) (-StrictMath.log(1 - this.random.nextDouble()) * 40_000);
		long delay = this.baseLatency / 2 + jitter;
		if (this.random.nextInt(200) == 0) {
			delay += this.random.nextLong(3 * MS);
		}
		return (this.sim.now() < this.slowUntil) ? delay + this.extraDelay / 2 : delay;
	}

	boolean replyLost() {
		return this.sim.now() < this.lossyUntil && this.random.nextDouble() < this.lossRate;
	}

	long pausedUntil() {
		return this.pausedUntil;
	}

	boolean refusesWhileDown() {
		return this.refusesWhileDown;
	}

	// ---- what a probe reads ----

	/**
	 * What a probe finds now ({@code NodeProbe}): unreachable while down or paused; the uptime in
	 * whole seconds counted between the node clock's second boundaries, as Redis counts it.
	 */
	NodeStatus status(boolean guard) {
		if (isDown() || isPaused()) {
			return NodeStatus.unreachable(this.name, isDown() ? "connection refused" : "no answer within the node timeout");
		}
		long uptime = Math.floorDiv(nodeNanos(), 1_000 * MS) - Math.floorDiv(this.startedAtNode, 1_000 * MS);
		Boolean armed = guard ? isArmed() : null;
		boolean lockable = !guard || isArmed();
		// TIME, read at the probe's one instant on the simulation's clock (the engines' monotonic clock)
		NodeStatus.Clock clock = new NodeStatus.Clock(Math.floorDiv(nodeNanos(), 1_000), this.sim.now(),
				2 * this.baseLatency);
		return new NodeStatus(this.name, true, lockable, Duration.ofNanos(2 * this.baseLatency), "7.0", "master",
				Duration.ofSeconds(uptime), this.runId, lockable ? "" : "the node is not armed yet", false, null, armed,
				0L, "noeviction", clock);
	}

	// ---- the scripts, applied at the node's time now ----

	private Entry live(String key) {
		Entry entry = this.locks.get(key);
		if (entry != null && nowMs() > entry.expiresAtMs) {
			this.locks.remove(key);
			return null;
		}
		return entry;
	}

	/** Before {@code key}'s lock entry changes: how to put it back. */
	private void changingLock(String key) {
		Entry entry = this.locks.get(key);
		Entry before = (entry != null) ? new Entry(entry.value, entry.expiresAtMs) : null;
		this.unreplicated.wrote(this.sim.now(), () -> {
			if (before != null) {
				this.locks.put(key, before);
			}
			else {
				this.locks.remove(key);
			}
		});
	}

	private void changingCounter(String key) {
		Long before = this.counters.get(key);
		this.unreplicated.wrote(this.sim.now(), () -> {
			if (before != null) {
				this.counters.put(key, before);
			}
			else {
				this.counters.remove(key);
			}
		});
	}

	/** Before the marker, the ticket or registry entry {@code registryKey} (if any) changes. */
	private void changingArming(String registryKey) {
		String marker = this.marker;
		Entry ticket = (this.ticket != null) ? new Entry(this.ticket.value, this.ticket.expiresAtMs) : null;
		String entry = (registryKey != null) ? this.registry.get(registryKey) : null;
		this.unreplicated.wrote(this.sim.now(), () -> {
			this.marker = marker;
			this.ticket = ticket;
			if (entry != null) {
				this.registry.put(registryKey, entry);
			}
			else if (registryKey != null) {
				this.registry.remove(registryKey);
			}
		});
	}

	/**
	 * {@code ACQUIRE_ARMED} / {@code SET NX PX}: {@code -2} not armed, {@code -3} (armed only) the
	 * node's clock is later than {@code latestMicros} (unless 0), {@code 0} held, {@code 1} set.
	 */
	long acquire(String key, String token, long ttlMillis, boolean armedOnly, long latestMicros) {
		return acquire(List.of(key), token, ttlMillis, armedOnly, latestMicros);
	}

	/** The same for every key at once ({@code ACQUIRE_ALL}): set only if none of them is live. */
	long acquire(List<String> keys, String token, long ttlMillis, boolean armedOnly, long latestMicros) {
		if (armedOnly && !hasMarker()) {
			return -2;
		}
		if (armedOnly && latestMicros != 0 && Math.floorDiv(nodeNanos(), 1_000) > latestMicros) {
			return -3;
		}
		for (String key : this.sim.acquireAllSeesFirstKeyOnly ? keys.subList(0, 1) : keys) {
			if (live(key) != null) {
				return 0;
			}
		}
		for (String key : keys) {
			changingLock(key);
			this.locks.put(key, new Entry(token, nowMs() + ttlMillis));
		}
		return 1;
	}

	/** {@code ACQUIRE_FENCED(_ARMED)}: {@code -2} not armed, {@code -3} clock ahead, {@code -1} held, else the counter. */
	long acquireFenced(String key, String token, long ttlMillis, String counterKey, boolean armedOnly,
			long latestMicros) {
		long set = acquire(key, token, ttlMillis, armedOnly, latestMicros);
		if (set <= 0) {
			return (set == -2 || set == -3) ? set : -1;
		}
		return this.counters.getOrDefault(counterKey, 0L);
	}

	/** {@code RAISE_FENCE}: raises the counter only while the key holds the token. */
	boolean raiseFence(String key, String token, String counterKey, long value) {
		Entry entry = live(key);
		if (entry == null || !entry.value.equals(token)) {
			return false;
		}
		raiseCounter(counterKey, value);
		return true;
	}

	/**
	 * As the scripts raise a counter: only to a value above the one it has, an absent counter
	 * counting as 0 (so raising an absent counter to 0 or below creates no key).
	 */
	private void raiseCounter(String counterKey, long value) {
		if (value > this.counters.getOrDefault(counterKey, 0L)) {
			changingCounter(counterKey);
			this.counters.put(counterKey, value);
		}
	}

	/** {@code RELEASE}: compare-and-delete. */
	boolean release(String key, String token) {
		return release(List.of(key), token);
	}

	/**
	 * {@code RELEASE_ALL}: deletes each key that holds the token; whether all of them did (as the
	 * driver answers).
	 */
	boolean release(List<String> keys, String token) {
		int deleted = 0;
		for (String key : keys) {
			if (holds(key, token)) {
				changingLock(key);
				this.locks.remove(key);
				deleted++;
			}
		}
		return deleted == keys.size();
	}

	/** {@code EXTEND}: compare-and-{@code PEXPIRE}; a time to live of 0 deletes the key, as in Redis. */
	boolean extend(String key, String token, long ttlMillis) {
		return extend(List.of(key), token, ttlMillis);
	}

	/** {@code EXTEND_ALL}: the same for every key, only if all of them hold the token. */
	boolean extend(List<String> keys, String token, long ttlMillis) {
		for (String key : keys) {
			if (!holds(key, token)) {
				return false;
			}
		}
		for (String key : keys) {
			changingLock(key);
			if (ttlMillis <= 0) {
				this.locks.remove(key);
			}
			else {
				live(key).expiresAtMs = nowMs() + ttlMillis;
			}
		}
		return true;
	}

	/** The node's state of {@code key}, for a trace. */
	String describe(String key) {
		Entry entry = live(key);
		return "[" + this.runId + (isArmed() ? " armed" : " unarmed") + ", now " + nowMs() + "ms, key "
				+ ((entry != null) ? entry.value + " until " + entry.expiresAtMs + "ms" : "absent") + ", counter "
				+ this.counters.get(KeySpace.counterKey(key)) + ", rate " + this.rate + "]";
	}

	/** Whether the node holds {@code key} for {@code token} now. */
	boolean holds(String key, String token) {
		Entry entry = live(key);
		return entry != null && entry.value.equals(token);
	}

	/** A key as a node keeps it: its value, and its time to live in milliseconds ({@code -1}: none). */
	record Stored(String value, long ttlMillis) {
	}

	/**
	 * Every live key as a real node would list it: lock keys and counters under their names, the
	 * marker, the ticket and the registry entries under the given names; for a comparison with a
	 * real node ({@code SimulatedNodeConformanceTests}).
	 */
	Map<String, Stored> keyspace(String markerKey, String ticketKey, String registryPrefix) {
		Map<String, Stored> keys = new HashMap<>();
		for (String key : List.copyOf(this.locks.keySet())) {
			Entry entry = live(key);
			if (entry != null) {
				keys.put(key, new Stored(entry.value, entry.expiresAtMs - nowMs()));
			}
		}
		this.counters.forEach((key, value) -> keys.put(key, new Stored(Long.toString(value), -1)));
		if (this.marker != null) {
			keys.put(markerKey, new Stored(this.marker, -1));
		}
		if (hasTicket()) {
			keys.put(ticketKey, new Stored(this.ticket.value, this.ticket.expiresAtMs - nowMs()));
		}
		this.registry.forEach((name, value) -> keys.put(registryPrefix + name, new Stored(value, -1)));
		return keys;
	}

	// ---- arming ({@code JedisArming}) ----

	void setTicket(String value) {
		changingArming(null);
		this.ticket = new Entry(value, nowMs() + TICKET_MILLIS);
	}

	boolean hasTicket() {
		if (this.ticket != null && nowMs() > this.ticket.expiresAtMs) {
			this.ticket = null;
		}
		return this.ticket != null;
	}

	/** Ends an arming that gave up: deletes the ticket if it still holds {@code ticketValue}. */
	Void abandonTicket(String ticketValue) {
		if (hasTicket() && this.ticket.value.equals(ticketValue)) {
			changingArming(null);
			this.ticket = null;
		}
		return null;
	}

	/** {@code ARM}: sets the marker if the ticket is still there. */
	boolean arm(String ticketValue, String armedRunId) {
		if (!hasTicket() || !this.ticket.value.equals(ticketValue)) {
			return false;
		}
		if (this.sim.tracing()) {
			this.sim.trace(null, this.name + " armed as " + armedRunId);
		}
		changingArming(null);
		this.marker = armedRunId;
		this.ticket = null;
		this.emptied = false;
		this.sim.tally.armings++;
		return true;
	}

	Map<String, String> registry() {
		return new LinkedHashMap<>(this.registry);
	}

	void writeRegistry(Map<String, String> entries, boolean overwrite) {
		entries.forEach((key, value) -> {
			changingArming(key);
			if (overwrite) {
				this.registry.put(key, value);
			}
			else {
				this.registry.putIfAbsent(key, value);
			}
		});
	}

	Map<String, Long> counters() {
		return new HashMap<>(this.counters);
	}

	void raiseCounters(Map<String, Long> raised) {
		raised.forEach(this::raiseCounter);
	}

}
