package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded, deterministic discrete-event simulation of the engine against simulated Redis nodes on
 * virtual time: a second runtime for the engine's own decision code. Simulated engines
 * ({@link SimulatedEngine}), each with threads that lock again and again ({@link VirtualCaller}),
 * make their attempts with the engine's {@link AttemptDriver} as its {@link AttemptLoop} decides,
 * each command a call of the engine's {@link LockCommands} (with its {@link SplitVoteGate}), whose
 * rounds ({@link Dispatch} per node, {@link Ballot} counting the answers into a {@link Round}; a
 * held lock's commands each node after its earlier ones, {@link LeaseChain}) run through
 * {@link VirtualFanOut}, where production runs them through {@code FanOut} on threads and sockets;
 * a held lock's extensions run the engine's {@link Validity}; and the engine's decision parts
 * besides ({@link Verdicts}, {@link LeaseMath}, {@link NodeLoad},
 * {@link RestartGuard}, {@link Arming}). Every command is a message with its own latency to a
 * {@link SimulatedNode} ({@link VirtualCall}), whose keys expire on its own clock;
 * {@link SimulatedFaults} crashes, restarts, fails over, pauses, slows them and drifts their clocks;
 * {@link HoldChecker} checks mutual exclusion and fencing order on the simulation's one clock. One
 * random generator, split from the seed, makes every choice, and events at the same time run in the
 * order they were scheduled: a seed replays a run exactly.
 *
 * <p>Each engine's health decisions (which nodes are held out, which can count before a deadline,
 * what a failed call or a probe changes) are the engine's own {@link NodeStanding}, each probe is
 * the engine's own {@link ProbeRound}, and each held lock is the engine's own {@link RedlockHandle}
 * (its lease lock, extensions, renewal by its {@link LeaseKeeper}, close) on the runtime
 * {@link SimulatedHold} gives it; a release wakes the engine's threads waiting to retry one of its
 * keys through the engine's own {@link LocalWaiters}. Multi-key locks only with
 * {@link Config#withMultiKey}. Left out: the rest of what {@code Acquisition} does around the
 * attempts on a thread (the in-process queue of threads waiting for one key; releases announced by
 * another process: waiters retry after their delay), the caller's patience when reading answers (it decides only
 * which thread reads), a pool's wait for a free connection, the probes' own round trips (a probe
 * reads every node at one instant; arming's calls do take time), and a promoted replica's own clock
 * (it keeps the former master's).
 */
final class EngineSimulation {

	static final long MS = 1_000_000L;

	static final Duration HOLD_OUT = Duration.ofSeconds(1);

	static final Duration CHECK_INTERVAL = Duration.ofMillis(100);

	static final String KEY_PREFIX = "sim:";

	static final double DRIFT_FACTOR = 0.01;

	/** Connections per node per engine, for the saturated-node skip. */
	static final int POOL_SIZE = 4;

	/** When virtual time begins, far from 0 so that no difference of times is mistaken for a time. */
	private static final long ORIGIN = 1_000_000L * 1_000 * MS;

	/**
	 * What a run simulates.
	 * @param seed the seed of every choice
	 * @param operations lock operations (acquire calls, releases, extensions) after which it stops
	 * @param nodes Redis masters
	 * @param engines client processes
	 * @param workers locking threads per engine
	 * @param keys lock keys (even ones fenced)
	 * @param restartGuard whether engines run the restart guard and arm the nodes
	 * @param driftSpread node clock rates lie within {@code 1 ± driftSpread × driftFactor}
	 * @param faults whether faults are injected
	 * @param failoversSeen whether a failover gives the node a new run id of a process up long
	 * before, and leaves it the former master's marker, as a promoted replica has; if not, the
	 * replica goes on as the former master (the probes cannot see that it lost writes)
	 * @param clockJumps whether node clocks jump (forward 0.3 to 3 s, a quarter of them back),
	 * besides their rates drifting
	 * @param clockRule whether engines hold a node whose clock jumped forward out of the quorum for
	 * the hold-out ({@link NodePreconditions}, as {@code NodeHealth} does)
	 * @param multiKey whether a fifth of the unfenced acquisitions lock two keys at once
	 */
	record Config(long seed, long operations, int nodes, int engines, int workers, int keys, boolean restartGuard,
			double driftSpread, boolean faults, boolean failoversSeen, boolean clockJumps, boolean clockRule,
			boolean multiKey) {

		static Config of(long seed, long operations) {
			return new Config(seed, operations, 5, 4, 3, 8, true, 0.99, true, true, false, true, false);
		}

		/** With multi-key locks: a fifth of the unfenced acquisitions lock two keys at once. */
		Config withMultiKey(boolean on) {
			return new Config(this.seed, this.operations, this.nodes, this.engines, this.workers, this.keys,
					this.restartGuard, this.driftSpread, this.faults, this.failoversSeen, this.clockJumps, this.clockRule,
					on);
		}

		/**
		 * With node clocks that jump (forward 0.3 to 3 s, now and then back), and whether the
		 * engines hold a node whose clock jumped forward out ({@link NodePreconditions}).
		 */
		Config withClockJumps(boolean jumps, boolean rule) {
			return new Config(this.seed, this.operations, this.nodes, this.engines, this.workers, this.keys,
					this.restartGuard, this.driftSpread, this.faults, this.failoversSeen, jumps, rule, this.multiKey);
		}

		Config withRestartGuard(boolean on) {
			return new Config(this.seed, this.operations, this.nodes, this.engines, this.workers, this.keys, on,
					this.driftSpread, this.faults, this.failoversSeen, this.clockJumps, this.clockRule, this.multiKey);
		}

		Config withDriftSpread(double spread) {
			return new Config(this.seed, this.operations, this.nodes, this.engines, this.workers, this.keys,
					this.restartGuard, spread, this.faults, this.failoversSeen, this.clockJumps, this.clockRule, this.multiKey);
		}

		Config withFaults(boolean on) {
			return new Config(this.seed, this.operations, this.nodes, this.engines, this.workers, this.keys,
					this.restartGuard, this.driftSpread, on, this.failoversSeen, this.clockJumps, this.clockRule, this.multiKey);
		}

		Config withFailoversSeen(boolean seen) {
			return new Config(this.seed, this.operations, this.nodes, this.engines, this.workers, this.keys,
					this.restartGuard, this.driftSpread, this.faults, seen, this.clockJumps, this.clockRule, this.multiKey);
		}

		Config withShape(int nodeCount, int engineCount, int workerCount, int keyCount) {
			return new Config(this.seed, this.operations, nodeCount, engineCount, workerCount, keyCount,
					this.restartGuard, this.driftSpread, this.faults, this.failoversSeen, this.clockJumps, this.clockRule, this.multiKey);
		}

	}

	/** What happened, counted. */
	static final class Tally {

		long operations;

		long acquisitions;

		long attempts;

		long granted;

		/** Acquisitions of two keys at once, and how many were granted. */
		long multiKeyAcquisitions;

		long multiKeyGranted;

		long notAcquired;

		long failedAttempts;

		long fencesNotRecorded;

		long gated;

		/** Retries brought forward by a release of the key in the same engine ({@link LocalWaiters}). */
		long wokenUp;

		/** Callers that waited in a key's line ({@link LocalWaiters}) and were let try by the one ahead of them. */
		long turnsInLine;

		/** Released keys announced by a node and heard by an engine listening there ({@link ReleaseNotifications}). */
		long announcementsHeard;

		/** Releases that skipped a node as one that never set the key, while it held it. */
		long keysLeftBehind;

		long releases;

		/** Extension rounds sent, by renewal steps or by hand. */
		long extensionRounds;

		/** Extensions asked for by hand. */
		long extensions;

		long maxHoldReached;

		long lost;

		long probes;

		/** Lock keys live on a master that its replica lacked when it took over. */
		long keysLostInFailovers;

		long armings;

		long messages;

		long events;

	}

	final Tally tally = new Tally();

	/** What an action run by a future's completion threw ({@link #completing}). */
	private Throwable failure;

	final HoldChecker history;

	/**
	 * A negative control: the nodes' all-keys acquisition looks only at the first key, as a broken
	 * {@code ACQUIRE_ALL} would.
	 */
	boolean acquireAllSeesFirstKeyOnly;

	/** Makes each acquire call's attempt loop: the engine's own, or a broken one for a negative control. */
	AttemptLoops attemptLoops = AttemptLoop::new;

	/** Makes an acquire call's {@link AttemptLoop}. */
	@FunctionalInterface
	interface AttemptLoops {

		AttemptLoop create(int quorum, long leaseNanos, boolean fenced, long deadline, RedlockSettings settings);

	}

	private final Config config;

	private final RedlockSettings settings;

	private final SplittableRandom random;

	private final EventQueue queue = new EventQueue();

	private final SimulatedNode[] nodes;

	private final SimulatedEngine[] engines;

	private final int[] engineIncarnations;

	private final SimulatedFaults faults;

	private long now = ORIGIN;

	private long tokens;

	private boolean stopping;

	/** A window of virtual time (seconds from the start) whose events are printed, to study a seed. */
	private final double traceFrom = Double.parseDouble(System.getProperty("simulation.traceFrom", "-1"));

	private final double traceTo = Double.parseDouble(System.getProperty("simulation.traceTo", "-1"));

	private final String traceKey = System.getProperty("simulation.traceKey", "");

	EngineSimulation(Config config) {
		this.config = config;
		this.settings = new RedlockSettings(Duration.ofMillis(200), Duration.ZERO, Duration.ofMillis(5),
				Duration.ofMillis(10), Duration.ofMillis(20), DRIFT_FACTOR, KEY_PREFIX, true, RedlockSettings.DEFAULT_MAX_HOLD_TIME,
				false);
		this.random = new SplittableRandom(config.seed());
		this.history = new HoldChecker(this.settings, ORIGIN);
		this.nodes = new SimulatedNode[config.nodes()];
		for (int i = 0; i < this.nodes.length; i++) {
			this.nodes[i] = new SimulatedNode(this, i, split());
		}
		this.engines = new SimulatedEngine[config.engines()];
		this.engineIncarnations = new int[config.engines()];
		this.faults = new SimulatedFaults(this, split());
	}

	Config config() {
		return this.config;
	}

	RedlockSettings settings() {
		return this.settings;
	}

	long now() {
		return this.now;
	}

	/**
	 * Moves virtual time to {@code ORIGIN + elapsed} if that is later, outside the event loop: for a
	 * node checked against a real one in real time ({@code SimulatedNodeConformanceTests}).
	 */
	void advanceTo(long elapsedNanos) {
		this.now = Math.max(this.now, ORIGIN + elapsedNanos);
	}

	int nodes() {
		return this.nodes.length;
	}

	SimulatedNode node(int index) {
		return this.nodes[index];
	}

	SplittableRandom split() {
		return this.random.split();
	}

	/** A token no other attempt or arming has. */
	String token() {
		return Long.toHexString(++this.tokens);
	}

	/** Whether a window of events is printed ({@code -Dsimulation.traceFrom/To/Key}). */
	boolean tracing() {
		return this.traceTo >= 0;
	}

	/** Prints {@code text} if it is about {@code key} and falls in the traced window. */
	void trace(String key, String text) {
		double at = (this.now - ORIGIN) / 1e9;
		if (at >= this.traceFrom && at <= this.traceTo && (key == null || key.equals(this.traceKey))) {
			System.out.printf(Locale.ROOT, "%.6f %s%n", at, text);
		}
	}

	boolean stopping() {
		return this.stopping;
	}

	/** Counts a lock operation; the run stops at its size. */
	void operation() {
		if (++this.tally.operations >= this.config.operations()) {
			this.stopping = true;
		}
	}

	void at(long time, Runnable action) {
		this.queue.add(Math.max(time, this.now), action);
	}

	void after(long delay, Runnable action) {
		at(this.now + delay, action);
	}

	/**
	 * Lets virtual time pass for the caller (an arming call waiting for its answer) while every
	 * other event due meanwhile runs.
	 */
	void sleep(long nanos) {
		sleepUntil(this.now + nanos);
	}

	void sleepUntil(long time) {
		while (!this.queue.isEmpty() && this.queue.nextTime() <= time) {
			step();
		}
		this.now = Math.max(this.now, time);
	}

	private void step() {
		this.now = Math.max(this.now, this.queue.nextTime());
		this.tally.events++;
		try {
			this.queue.poll().run();
		}
		catch (RuntimeException ex) {
			// an Error, so that an arming call the event ran within (see sleep) does not take it for a node's failure
			throw new AssertionError("simulation event failed at " + (this.now - ORIGIN) + "ns", ex);
		}
		if (this.failure != null) {
			throw new AssertionError("simulation event failed at " + (this.now - ORIGIN) + "ns", this.failure);
		}
	}

	/**
	 * Runs what a future's completion calls, where a throw would end in a future nobody reads: the
	 * run fails at the end of the event instead.
	 */
	void completing(Runnable action) {
		try {
			action.run();
		}
		catch (RuntimeException | Error ex) {
			if (this.failure == null) {
				this.failure = ex;
			}
		}
	}

	/** Client process {@code slot} dies; it starts again a little later, knowing nothing. */
	void restartEngine(int slot) {
		SimulatedEngine old = this.engines[slot];
		if (old == null || old.dead()) {
			return;
		}
		old.die();
		after(10 * MS + this.random.nextLong(90 * MS), () -> startEngine(slot));
	}

	private void startEngine(int slot) {
		SimulatedEngine engine = new SimulatedEngine(this, slot, ++this.engineIncarnations[slot]);
		this.engines[slot] = engine;
		engine.start(this.config.workers());
	}

	/** Runs until the configured number of operations is done. */
	Result run() {
		long wallStart = System.nanoTime();
		for (int slot = 0; slot < this.engines.length; slot++) {
			int started = slot;
			at(ORIGIN + slot * MS, () -> startEngine(started));
		}
		if (this.config.faults()) {
			this.faults.start();
		}
		// about 300 operations take a second of virtual time: a run three times slower has stalled
		long limit = ORIGIN + Math.max(Duration.ofMinutes(1).toNanos(), this.config.operations() * 10 * MS);
		while (!this.stopping && !this.queue.isEmpty() && this.now < limit) {
			step();
		}
		return new Result(this.config, this.tally, this.history.overlaps, this.history.fencingViolations,
				this.history.holdAtLeastViolations, this.history.reports(), this.history.fingerprint(),
				this.now - ORIGIN, System.nanoTime() - wallStart, faultCounts());
	}

	private long[] faultCounts() {
		SimulatedFaults.Kind[] kinds = SimulatedFaults.Kind.values();
		long[] counts = new long[kinds.length];
		for (int i = 0; i < kinds.length; i++) {
			counts[i] = this.faults.count(kinds[i]);
		}
		return counts;
	}

	/**
	 * A run's outcome.
	 * @param config what was simulated
	 * @param tally what happened
	 * @param overlaps holds granted while another hold of the key ran
	 * @param fencingViolations fenced holds whose token was not above every earlier one
	 * @param holdAtLeastViolations holds granted within another's confirmed hold-at-least
	 * @param reports the first violations, described
	 * @param fingerprint a hash of the whole history
	 * @param virtualNanos how much virtual time passed
	 * @param wallNanos how long the run took
	 * @param faults per {@link SimulatedFaults.Kind}, how many were injected
	 */
	record Result(Config config, Tally tally, long overlaps, long fencingViolations, long holdAtLeastViolations,
			List<String> reports, long fingerprint, long virtualNanos, long wallNanos, long[] faults) {

		String summary() {
			Tally t = this.tally;
			Config c = this.config;
			StringBuilder text = new StringBuilder();
			text.append(String.format(Locale.ROOT, "Engine simulation: seed %d (-Dsimulation.seed=%d replays it), %d nodes, "
					+ "%d engines x %d workers, %d keys, restart guard %s, failovers %s, node clock rates within 1 +/- %.4f%s%n",
					c.seed(), c.seed(), c.nodes(), c.engines(), c.workers(), c.keys(), c.restartGuard() ? "on" : "off",
					c.failoversSeen() ? "seen" : "unseen (run id kept)",
					c.driftSpread() * DRIFT_FACTOR, !c.clockJumps() ? ""
							: ", node clocks jump (" + (c.clockRule() ? "jumped nodes held out" : "clock rule off") + ")"));
			text.append(String.format(Locale.ROOT, "  %,d lock operations: %,d acquisitions (%,d granted, %,d not acquired), "
					+ "%,d releases, %,d extension rounds (renewal steps and %,d extensions by hand)%n", t.operations,
					t.acquisitions, t.granted, t.notAcquired, t.releases, t.extensionRounds, t.extensions));
			if (c.multiKey()) {
				text.append(String.format(Locale.ROOT, "  %,d acquisitions of two keys at once (%,d granted)%n",
						t.multiKeyAcquisitions, t.multiKeyGranted));
			}
			text.append(String.format(Locale.ROOT, "  %,d attempts (%,d failed; %,d gated after a split vote; %,d fences not "
					+ "recorded in time; %,d retries woken up by a release); %,d turns handed on in an engine's line of "
					+ "callers of a key; %,d announced releases heard; %,d keys left behind by a release that skipped a node "
					+ "holding them%n", t.attempts, t.failedAttempts, t.gated, t.fencesNotRecorded, t.wokenUp, t.turnsInLine,
					t.announcementsHeard, t.keysLeftBehind));
			text.append(String.format(Locale.ROOT, "  %,d locks lost, %,d renewals stopped at the maximum hold time%n",
					t.lost, t.maxHoldReached));
			text.append("  faults:");
			SimulatedFaults.Kind[] kinds = SimulatedFaults.Kind.values();
			for (int i = 0; i < kinds.length; i++) {
				text.append((i > 0) ? ", " : " ").append(kinds[i].name().toLowerCase(Locale.ROOT)).append(' ')
					.append(this.faults[i]);
			}
			text.append(String.format(Locale.ROOT, "; %,d lock keys lost in failovers, %,d node armings, %,d probes%n",
					t.keysLostInFailovers, t.armings, t.probes));
			text.append(String.format(Locale.ROOT, "  %,d messages, %,d events, %.1f s of virtual time in %.1f s%n",
					t.messages, t.events, this.virtualNanos / 1e9, this.wallNanos / 1e9));
			text.append(String.format(Locale.ROOT, "  mutual-exclusion violations %d, fencing-order violations %d, "
					+ "hold-at-least violations %d; history fingerprint %016x", this.overlaps, this.fencingViolations,
					this.holdAtLeastViolations, this.fingerprint));
			return text.toString();
		}

	}

}
