package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.redlock.NodeOutcome;

/**
 * One simulated engine (one client process), on the simulation's virtual time: the engine's own
 * health decisions ({@link NodeStanding} with the real {@link RestartGuard} and
 * {@link NodePreconditions}), {@link Arming} (over {@link ArmableNode}s whose every call is a message
 * to a simulated node, taking virtual time while the rest of the world goes on) and
 * {@link NodeLoad}; the engine's own {@link ProbeRound} every check interval, each probe reading
 * the simulated nodes at one instant; and the engine's own {@link LockCommands} (with its
 * {@link SplitVoteGate}), whose rounds {@link VirtualFanOut} carries out, each call run by the
 * simulated node it reaches against this engine's view of it. Its threads that lock are
 * {@link VirtualCaller}s.
 */
final class SimulatedEngine implements NodeCallListener {

	final EngineSimulation sim;

	final int slot;

	final String name;

	private final List<LockNode> views = new ArrayList<>();

	private final NodeView[] nodeViews;

	private final ArmableNode[] armable;

	private final NodeLoad load;

	private final RestartGuard guard;

	/** The engine's probe, on virtual time; {@code null} without the restart guard (no probes then). */
	private final ProbeRound probeRound;

	/** The engine's health decisions, as {@code NodeHealth} runs them; the clock rule's preconditions only with the rule on. */
	private final NodeStanding standing;

	private final boolean clockRule;

	/** Per node, its clock at the last probe, which the armed scripts compare with (as {@code JedisArming}). */
	private final NodeStatus.Clock[] lastLooks;

	private final List<VirtualCaller> workers = new ArrayList<>();

	private final VirtualFanOut fanOut;

	private final LockCommands commands;

	/** The engine's waiters of each key, woken by its releases. */
	private final LocalWaiters waiters = new LocalWaiters();

	/** Where its releases are announced, and it listens for others' while its callers wait. */
	private static final String CHANNEL = EngineSimulation.KEY_PREFIX + "released";

	private final ReleaseNotifications notifications;

	/** What the engine's acquire calls use: its own parts, on virtual time. */
	private final AcquisitionSteps.Parts parts;

	private boolean dead;

	SimulatedEngine(EngineSimulation sim, int slot, int incarnation) {
		this.sim = sim;
		this.slot = slot;
		this.name = "engine-" + slot + "." + incarnation;
		int n = sim.nodes();
		this.armable = new ArmableNode[n];
		this.nodeViews = new NodeView[n];
		for (int i = 0; i < n; i++) {
			NodeView view = new NodeView(i);
			this.views.add(view);
			this.armable[i] = view;
			this.nodeViews[i] = view;
		}
		this.load = new NodeLoad(this.views, nodeTimeout(), sim::now);
		Arming arming = null;
		if (sim.config().restartGuard()) {
			this.guard = new RestartGuard(EngineSimulation.HOLD_OUT, EngineSimulation.CHECK_INTERVAL, n, sim.now());
			arming = new Arming(this.views, this.armable, EngineSimulation.KEY_PREFIX, EngineSimulation.HOLD_OUT,
					sim::now);
		}
		else {
			this.guard = null;
		}
		this.clockRule = sim.config().clockRule();
		NodePreconditions preconditions = this.clockRule ? new NodePreconditions(this.views, false,
				sim.settings().driftFactor(), sim.config().restartGuard() ? EngineSimulation.HOLD_OUT : null,
				LockObserver.NONE) : null;
		this.standing = new NodeStanding(n, this.guard, preconditions, EngineSimulation.CHECK_INTERVAL, nodeTimeout());
		this.probeRound = (arming != null) ? new ProbeRound(this.standing, arming, this.armable, sim::now) : null;
		this.lastLooks = new NodeStatus.Clock[n];
		this.fanOut = new VirtualFanOut(this, this.views);
		Members members = new Members(this.views);
		this.commands = new LockCommands(members, this.fanOut, nodeTimeout());
		this.notifications = new ReleaseNotifications(members, CHANNEL, this.waiters,
				(task, delay) -> VirtualTimer.after(sim, delay, task), ReleaseNotifications.IDLE_SPELL, sim::now);
		this.parts = new AcquisitionSteps.Parts(this.commands, this.waiters, this.notifications,
				new QuorumReach(members, this.standing, this.guard != null, sim::now), this::heldOut, () -> false,
				sim::now, sim::token);
	}

	/**
	 * The latest node time an armed acquisition sent to node {@code index} now accepts, as
	 * {@code JedisArming} computes it; 0 (no check) with the clock rule off or before a look.
	 */
	long latestServerMicros(int index) {
		NodeStatus.Clock look = this.lastLooks[index];
		return (!this.clockRule || look == null) ? 0
				: look.latestServerMicros(this.sim.now(), 0.01, nodeTimeout() + 2 * EngineSimulation.MS);
	}

	/** Starts the engine as {@code Engine} does: one probe before it is used, then one every interval. */
	void start(int workerCount) {
		if (this.guard != null) {
			probe();
		}
		for (int i = 0; i < workerCount; i++) {
			VirtualCaller worker = new VirtualCaller(this, i, this.sim.split());
			this.workers.add(worker);
			worker.start();
		}
	}

	/** The process dies: its workers stop where they are, its calls' answers reach nobody. */
	void die() {
		this.dead = true;
		this.notifications.close();
		this.workers.forEach(VirtualCaller::die);
	}

	boolean dead() {
		return this.dead;
	}

	boolean guarded() {
		return this.guard != null;
	}

	NodeLoad load() {
		return this.load;
	}

	long nodeTimeout() {
		return this.sim.settings().nodeTimeout().toNanos();
	}

	int quorum() {
		return this.sim.nodes() / 2 + 1;
	}

	/** Per node, why it must not be sent a lock now; {@code null} if none is held out. */
	List<String> heldOut() {
		return this.standing.heldOut(this.sim.now());
	}

	/** A call that got an answer, as {@code NodeHealth.answered} takes it. */
	@Override
	public void answered(int index) {
		this.standing.answered(index);
	}

	/** A failed call (or one not sent), as {@code NodeHealth.failed} takes it. */
	@Override
	public void failed(int index, NodeOutcome outcome, Throwable error) {
		this.standing.failed(index, NodeFailure.kindOf(error), outcome.detail(), this.sim.now());
	}

	// ---- the engine's LockCommands, their rounds carried out by VirtualFanOut ----

	LockCommands commands() {
		return this.commands;
	}

	LocalWaiters waiters() {
		return this.waiters;
	}

	/** Where its releases are announced. */
	String channel() {
		return CHANNEL;
	}

	AcquisitionSteps.Parts parts() {
		return this.parts;
	}

	/** This engine's view of node {@code index}, which runs the lock calls that reach it. */
	NodeView view(int index) {
		return this.nodeViews[index];
	}

	/**
	 * A release (never shed, {@link LockCommands#release}) skipped node {@code index} as one where
	 * the lock's keys were never set: counts it in the tally if the node holds any of them with the
	 * lock's token, which it then keeps for its lease. The call is run against this engine's view
	 * of the node while that only looks.
	 */
	void checkSkipped(NodeCall release, int index) {
		NodeView view = this.nodeViews[index];
		view.lookingOnly = true;
		try {
			release.call(index, view);
		}
		finally {
			view.lookingOnly = false;
		}
	}

	// ---- probes: the engine's ProbeRound ----

	private void probe() {
		if (this.dead) {
			return;
		}
		this.probeRound.run(this::statuses, this::status, (index, status) -> {
			// as JedisArming.clockRead: the probe is one instant here, the hold-out already applied
			if (status.clock() != null) {
				this.lastLooks[index] = status.clock();
			}
		});
		this.sim.tally.probes++;
		this.sim.after(EngineSimulation.CHECK_INTERVAL.toNanos(), this::probe);
	}

	/** Every simulated node's status, read at one instant (a probe's own round trips are left out). */
	private List<NodeStatus> statuses() {
		List<NodeStatus> statuses = new ArrayList<>(this.sim.nodes());
		for (int i = 0; i < this.sim.nodes(); i++) {
			statuses.add(status(i));
		}
		return statuses;
	}

	private NodeStatus status(int index) {
		return this.sim.node(index).status(true);
	}

	/**
	 * One call of arming to a node: a message there and back, during which the simulation goes on;
	 * fails as a real call would when the node is down, paused past the timeout or loses the reply.
	 */
	private <T> T remote(int index, Supplier<T> command) {
		SimulatedNode node = this.sim.node(index);
		int incarnation = node.incarnation();
		long deadline = this.sim.now() + nodeTimeout();
		this.sim.sleep(node.latency());
		requireUp(node, incarnation, deadline);
		if (node.isPaused()) {
			if (node.pausedUntil() >= deadline) {
				this.sim.at(node.pausedUntil(), () -> {
					if (!node.isDown() && node.incarnation() == incarnation) {
						command.get();
					}
				});
				this.sim.sleepUntil(deadline);
				throw new NodeFailure(NodeFailure.Kind.TIMED_OUT, "no answer within the node timeout", null);
			}
			this.sim.sleepUntil(node.pausedUntil());
			requireUp(node, incarnation, deadline);
		}
		T result = command.get();
		long back = node.latency();
		if (node.replyLost() || this.sim.now() + back > deadline) {
			this.sim.sleepUntil(deadline);
			throw new NodeFailure(NodeFailure.Kind.TIMED_OUT, "no answer within the node timeout", null);
		}
		this.sim.sleep(back);
		return result;
	}

	private void requireUp(SimulatedNode node, int incarnation, long deadline) {
		if (node.incarnation() != incarnation || node.isDown() && node.refusesWhileDown()) {
			throw new NodeFailure(NodeFailure.Kind.IO, "connection reset", null);
		}
		if (node.isDown()) {
			this.sim.sleepUntil(deadline);
			throw new NodeFailure(NodeFailure.Kind.TIMED_OUT, "no answer within the node timeout", null);
		}
	}

	/**
	 * This engine's view of one node: its name and pool for {@link NodeLoad}, its arming calls, and
	 * the lock calls of {@link LockCommands}, which {@link VirtualCall} runs on it when they reach the
	 * node, as the driver's scripts (armed ones while the restart guard is on) run there.
	 */
	final class NodeView implements LockNode, FencedNode, ArmableNode, AnnouncingNode {

		private final int index;

		private long latestMicros;

		/** While a skipped release is checked ({@link #checkSkipped}): releases only look. */
		private boolean lookingOnly;

		NodeView(int index) {
			this.index = index;
		}

		private SimulatedNode node() {
			return SimulatedEngine.this.sim.node(this.index);
		}

		@Override
		public String name() {
			return node().name;
		}

		@Override
		public int maxConcurrentCalls() {
			return EngineSimulation.POOL_SIZE;
		}

		/** The call about to run here was sent when the armed scripts' clock bound was this. */
		NodeView sent(long latestMicros) {
			this.latestMicros = latestMicros;
			return this;
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			if (this.lookingOnly) {
				throw new IllegalStateException("a release does not acquire");
			}
			long set = traced(keys, "ACQUIRE " + token + " ttl " + ttlMillis,
					node().acquire(keys, token, ttlMillis, guarded(), this.latestMicros));
			return refusedOr(set) == 1;
		}

		@Override
		public long tryAcquireFenced(String key, String token, long ttlMillis, String counterKey) {
			return refusedOr(traced(List.of(key), "ACQUIRE_FENCED " + token + " ttl " + ttlMillis,
					node().acquireFenced(key, token, ttlMillis, counterKey, guarded(), this.latestMicros)));
		}

		@Override
		public boolean raiseFence(String key, String token, String counterKey, long value) {
			return traced(List.of(key), "RAISE_FENCE " + token + " value " + value,
					node().raiseFence(key, token, counterKey, value) ? 0 : -1) == 0;
		}

		@Override
		public boolean release(List<String> keys, String token) {
			if (this.lookingOnly) {
				if (keys.stream().anyMatch((key) -> node().holds(key, token))) {
					SimulatedEngine.this.sim.tally.keysLeftBehind++;
				}
				return false;
			}
			return traced(keys, "RELEASE " + token, node().release(keys, token) ? 0 : -1) == 0;
		}

		@Override
		public boolean extend(List<String> keys, String token, long ttlMillis) {
			if (this.lookingOnly) {
				return release(keys, token);
			}
			return traced(keys, "EXTEND " + token + " ttl " + ttlMillis, node().extend(keys, token, ttlMillis) ? 0 : -1) == 0;
		}

		@Override
		public boolean releaseHeld(List<String> keys, String token, String channel) {
			if (this.lookingOnly) {
				return release(keys, token);
			}
			List<String> held = keys.stream().filter((key) -> node().holds(key, token)).toList();
			boolean all = release(keys, token);
			node().announcements.announce(held);
			return all;
		}

		@Override
		public Subscription listenForReleases(String channel, Consumer<String> listener) {
			return node().announcements.subscribe(listener);
		}

		/** An armed script's refusal as the driver throws it: -2 not armed, -3 the node's clock ahead. */
		private long refusedOr(long result) {
			if (result == -2) {
				throw VirtualCall.failure(NodeFailure.Kind.NOT_ARMED);
			}
			if (result == -3) {
				throw VirtualCall.failure(NodeFailure.Kind.FAILED);
			}
			return result;
		}

		private long traced(List<String> keys, String command, long result) {
			if (SimulatedEngine.this.sim.tracing()) {
				String key = (keys.size() == 1) ? keys.get(0) : String.join(",", keys);
				SimulatedEngine.this.sim.trace(key, node().name + " " + command + " from " + SimulatedEngine.this.name
						+ " -> " + result + " " + node().describe(keys.get(0)));
			}
			return result;
		}

		@Override
		public void close() {
		}

		@Override
		public void requireArming(Keys keys) {
		}

		@Override
		public String beginArming() {
			String ticket = SimulatedEngine.this.sim.token();
			remote(this.index, () -> {
				node().setTicket(ticket);
				return null;
			});
			return ticket;
		}

		@Override
		public void abandonArming(String ticket) {
			remote(this.index, () -> node().abandonTicket(ticket));
		}

		@Override
		public boolean isBeingArmed() {
			return remote(this.index, () -> node().hasTicket());
		}

		@Override
		public String armedIncarnation() {
			return remote(this.index, () -> node().armedIncarnation());
		}

		@Override
		public boolean arm(String ticket, String runId) {
			return remote(this.index, () -> node().arm(ticket, runId));
		}

		@Override
		public Map<String, String> readRegistry() {
			return remote(this.index, () -> node().registry());
		}

		@Override
		public void writeRegistry(Map<String, String> entries, boolean overwrite) {
			remote(this.index, () -> {
				node().writeRegistry(entries, overwrite);
				return null;
			});
		}

		@Override
		public boolean readFencingCounters(String prefix, String suffix, Consumer<Map<String, Long>> batch) {
			if (!remote(this.index, () -> node().hasMarker())) {
				return false;
			}
			Map<String, Long> counters = remote(this.index, () -> node().counters());
			if (!counters.isEmpty()) {
				batch.accept(counters);
			}
			return remote(this.index, () -> node().hasMarker());
		}

		@Override
		public void raiseFencingCounters(Map<String, Long> counters) {
			Map<String, Long> copy = new java.util.HashMap<>(counters);
			remote(this.index, () -> {
				node().raiseCounters(copy);
				return null;
			});
		}

	}

}
