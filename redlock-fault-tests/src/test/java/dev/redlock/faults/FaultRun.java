package dev.redlock.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import org.awaitility.core.ConditionTimeoutException;

import dev.redlock.test.RedisServerProcess;

import static org.awaitility.Awaitility.await;

/**
 * One run of the fault suite: sets the machine up (network namespaces, five nodes, the fenced
 * resource, four client JVMs), runs the phases (none, each fault kind alone, all at once; in
 * rounds until enough locks were granted), and tears everything down again. Between two phases
 * it heals every fault, lets the clients finish their holds and rest, checks that no lock key
 * outlives its lease and that every node grants locks again. Every problem it meets on the way
 * is kept for the test to report.
 */
final class FaultRun implements AutoCloseable {

	static final int NODES = 5;

	static final int CLIENTS = 4;

	static final Duration LEASE = Duration.ofSeconds(1);

	static final Duration WAIT = Duration.ofSeconds(1);

	static final Duration HOLD_OUT = LEASE;

	private final FaultParameters parameters;

	private final Path directory;

	private final long origin = System.nanoTime();

	private final FaultLog log = new FaultLog(this.origin);

	private final Map<FaultKind, String> skipped = new EnumMap<>(FaultKind.class);

	private final Map<FaultKind, String> modelled = new EnumMap<>(FaultKind.class);

	private final List<String> problems = new ArrayList<>();

	private final List<String> clockChecks = new ArrayList<>();

	private final Deque<AutoCloseable> resources = new ArrayDeque<>();

	private final List<ClientProcess> clients = new ArrayList<>();

	private Capabilities capabilities;

	private ClientNetwork network;

	private LockNodes nodes;

	private FencedResource resource;

	FaultRun(FaultParameters parameters, Path directory) {
		this.parameters = parameters;
		this.directory = directory;
	}

	/**
	 * Runs every phase and checks the histories.
	 * @return the report
	 */
	FaultReport run() {
		say(String.format(Locale.ROOT, "Fault suite: seed %d (-Dfaults.seed=%d repeats the random choices), "
				+ "%d clients x %d threads on %d keys, phases of %d s, %s", this.parameters.seed(),
				this.parameters.seed(), CLIENTS, this.parameters.workers(), this.parameters.keys(),
				this.parameters.phase().toSeconds(), (this.parameters.acquisitions() > 0)
						? "rounds until " + this.parameters.acquisitions() + " acquisitions" : "one round"));
		Random random = new Random(this.parameters.seed());
		setUp(random);
		List<Phase> phases = phases();
		if (!realClockFaults() && phases.stream().anyMatch((phase) -> phase.kinds().contains(FaultKind.CLOCK))) {
			this.modelled.put(FaultKind.CLOCK, this.capabilities.clockNote());
		}
		FaultInjector injector = new FaultInjector(this.nodes, this.clients, this.network,
				new Random(random.nextLong()), this.log, LEASE, guarded());
		List<FaultChecker.PhaseRun> runs = new ArrayList<>();
		long started = System.nanoTime();
		long granted = 0;
		for (int round = 1;; round++) {
			for (Phase phase : phases) {
				FaultChecker.PhaseRun run = runPhase(phase, injector);
				runs.add(run);
				granted = this.clients.stream().mapToLong(this::grants).sum();
				say(String.format(Locale.ROOT, "%8.1fs round %d, %-40s %,d acquisitions so far%s",
						(System.nanoTime() - this.origin) / 1e9, round, phase.name() + ":", granted,
						run.leftoverKeys().isEmpty() ? "" : ", " + run.leftoverKeys().size() + " keys left"));
			}
			if (granted >= this.parameters.acquisitions()
					|| System.nanoTime() - started > this.parameters.maxTime().toNanos()) {
				break;
			}
		}
		checkClocks("at the end");
		stopClients();
		Histories histories = Histories.read(
				this.clients.stream().map((client) -> this.directory.resolve(client.name() + ".history")).toList());
		FaultReport report = new FaultChecker(histories, this.resource.log(), runs).check(this.origin);
		write("faults.log", String.join("\n", this.log.all()) + "\n");
		return report;
	}

	private void setUp(Random random) {
		try {
			Files.createDirectories(this.directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.capabilities = Capabilities.detect("true".equalsIgnoreCase(System.getenv("CI")));
		this.network = network();
		this.resources.push(this.network);
		if (!this.capabilities.signals()) {
			this.skipped.put(FaultKind.CLIENT_PAUSE, "no 'kill' command to send SIGSTOP and SIGCONT (install procps)");
		}
		for (FaultKind kind : FaultKind.values()) {
			String why = this.skipped.get(kind);
			say("  " + String.format(Locale.ROOT, "%-34s", kind.description() + ":")
					+ ((why != null) ? "SKIPPED: " + why : describe(kind)));
		}
		this.nodes = LockNodes.start(NODES, this.network.extraBindAddress(), this.capabilities.faketime());
		this.resources.push(this.nodes);
		this.resource = FencedResource.start(this.network.extraBindAddress(),
				!this.parameters.sabotaged(Sabotage.FENCING_OFF));
		this.resources.push(this.resource);
		say("  nodes: " + this.nodes.all() + "; fenced resource on port " + this.resource.port());
		if (!this.parameters.sabotage().isEmpty()) {
			say("  NEGATIVE CONTROL, switched off on purpose: " + this.parameters.sabotage());
		}
		startClients(random);
		checkClocks("at the start");
	}

	private ClientNetwork network() {
		String why = this.capabilities.partitionTools();
		if (why == null) {
			try {
				return ClientNetwork.namespaces(CLIENTS);
			}
			catch (RuntimeException ex) {
				why = "cannot make network namespaces: " + ex.getMessage();
			}
		}
		this.skipped.put(FaultKind.PARTITION_ALL, why);
		this.skipped.put(FaultKind.PARTITION_ONE, why);
		return ClientNetwork.loopback(CLIENTS);
	}

	private String describe(FaultKind kind) {
		return switch (kind) {
			case PARTITION_ALL, PARTITION_ONE -> "on: iptables DROP in the clients' own network namespaces (chain "
					+ ClientNetwork.CHAIN + ")";
			case CLIENT_PAUSE -> "on: SIGSTOP, SIGCONT after lease + 0.3 to 2 s";
			case CLOCK -> "on: " + this.capabilities.clockNote();
			case KILL_RESTART -> "on: SIGKILL, restart on the same port without data";
			case DEBUG_SLEEP -> "on: DEBUG SLEEP 0.2 to 1.5 s";
		};
	}

	private List<Phase> phases() {
		Set<FaultKind> enabled = EnumSet.allOf(FaultKind.class);
		enabled.removeAll(this.skipped.keySet());
		List<Phase> phases = new ArrayList<>();
		if (this.parameters.runs("none")) {
			phases.add(Phase.none());
		}
		enabled.stream().filter((kind) -> this.parameters.runs(kind.name())).forEach((kind) -> phases.add(Phase.of(kind)));
		if (this.parameters.runs("mixed")) {
			phases.add(Phase.mixed(enabled));
		}
		return phases;
	}

	private void startClients(Random random) {
		Map<String, String> spring = new LinkedHashMap<>();
		spring.put("redlock.lease-time", LEASE.toMillis() + "ms");
		spring.put("redlock.wait-time", WAIT.toMillis() + "ms");
		spring.put("redlock.retry-delay", "20ms");
		spring.put("redlock.retry-jitter", "30ms");
		spring.put("redlock.node-timeout", "100ms");
		spring.put("redlock.key-prefix", LockNodes.KEY_PREFIX);
		spring.put("redlock.max-connections-per-node", Integer.toString(this.parameters.workers() + 4));
		spring.put("redlock.restart-guard.hold-out", HOLD_OUT.toMillis() + "ms");
		spring.put("redlock.restart-guard.check-interval", "200ms");
		if (!guarded()) {
			spring.put("redlock.restart-guard.enabled", "false");
		}
		spring.put("spring.main.banner-mode", "off");
		spring.put("spring.main.log-startup-info", "false");
		spring.put("logging.level.root", "WARN");
		for (int client = 0; client < CLIENTS; client++) {
			String name = "c" + client;
			ClientConfig config = new ClientConfig(name, this.directory.resolve(name + ".history"),
					this.network.serverAddress(), this.resource.port(), random.nextLong(), this.parameters.workers(), this.parameters.keys(), LEASE, WAIT,
					withNodes(spring, client));
			Path file = this.directory.resolve(name + ".properties");
			config.write(file);
			ClientProcess process = ClientProcess.start(name, this.network.commandPrefix(client), file,
					this.directory.resolve(name + ".console.log"));
			this.clients.add(process);
			this.resources.push(process);
		}
		this.clients.forEach((client) -> client.awaitReady(Duration.ofMinutes(3)));
	}

	/**
	 * The client's nodes: all of them, or, for {@link Sabotage#SPLIT_QUORUM}, nodes 0 to 2 for
	 * client 0 and nodes 2 to 4 for client 1, so that each counts two votes as a quorum.
	 */
	private Map<String, String> withNodes(Map<String, String> spring, int client) {
		List<RedisServerProcess> nodes = this.nodes.all();
		if (this.parameters.sabotaged(Sabotage.SPLIT_QUORUM) && client < 2) {
			nodes = (client == 0) ? nodes.subList(0, 3) : nodes.subList(2, 5);
		}
		Map<String, String> properties = new LinkedHashMap<>(spring);
		properties.put("redlock.nodes", String.join(",", nodes.stream()
			.map((node) -> "redis://" + this.network.serverAddress() + ":" + node.port()).toList()));
		return properties;
	}

	private boolean guarded() {
		return !this.parameters.sabotaged(Sabotage.RESTART_GUARD_OFF);
	}

	/**
	 * Checks that each client's {@link System#nanoTime()} lies between two readings of the
	 * suite's: one clock for every process, so that histories can be merged.
	 */
	private void checkClocks(String when) {
		for (ClientProcess client : this.clients) {
			long[] reading = client.clock();
			boolean within = reading[0] <= reading[1] && reading[1] <= reading[2];
			String line = String.format(Locale.ROOT, "%s %s: %d <= %d <= %d %s", client.name(), when, reading[0],
					reading[1], reading[2], within ? "ok" : "NOT WITHIN");
			this.clockChecks.add(line);
			if (!within) {
				this.problems.add("clock check " + line);
			}
		}
	}

	private FaultChecker.PhaseRun runPhase(Phase phase, FaultInjector injector) {
		Map<FaultKind, Integer> before = this.log.injectedCounts();
		long start = System.nanoTime();
		this.log.event("phase '" + phase.name() + "' begins");
		this.clients.forEach(ClientProcess::go);
		injector.run(phase, start + this.parameters.phase().toNanos());
		awaitQuietly("every node answers after '" + phase.name() + "'", Duration.ofSeconds(20),
				() -> allNodes(this.nodes::answers));
		List<CompletableFuture<String>> resting = this.clients.stream()
			.map((client) -> CompletableFuture.supplyAsync(() -> client.quiesce(Duration.ofMinutes(1))))
			.toList();
		resting.forEach(CompletableFuture::join);
		long end = System.nanoTime();
		this.log.event("phase '" + phase.name() + "' ends; the clients rest");
		List<String> leftover = List.of();
		try {
			await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
				.until(() -> this.nodes.lockKeys().isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			leftover = this.nodes.lockKeys();
		}
		if (guarded()) {
			awaitQuietly("every node is armed again after '" + phase.name() + "'", HOLD_OUT.plusSeconds(30),
					() -> allNodes(this.nodes::armed));
		}
		List<String> rules = this.network.rules();
		if (!rules.isEmpty()) {
			this.problems.add("partition rules left after '" + phase.name() + "': " + rules);
			this.network.healAll();
		}
		Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
		this.log.injectedCounts().forEach((kind, count) -> {
			int delta = count - before.getOrDefault(kind, 0);
			if (delta > 0) {
				injected.put(kind, delta);
			}
		});
		// a phase of one kind must have seen it; the mixed phase, some fault (its deck may not come round)
		if (phase.kinds().size() == 1 && !injected.containsKey(phase.kinds().iterator().next())
				|| !phase.kinds().isEmpty() && injected.isEmpty()) {
			this.problems.add("no " + phase.kinds() + " fault was injected in phase '" + phase.name() + "'");
		}
		return new FaultChecker.PhaseRun(phase, start, end, leftover, injected);
	}

	private boolean allNodes(IntPredicate check) {
		for (int node = 0; node < this.nodes.size(); node++) {
			if (!check.test(node)) {
				return false;
			}
		}
		return true;
	}

	private void awaitQuietly(String what, Duration timeout, Callable<Boolean> condition) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(condition);
		}
		catch (ConditionTimeoutException ex) {
			this.problems.add("not within " + timeout.toSeconds() + " s: " + what);
		}
	}

	private long grants(ClientProcess client) {
		return client.grantsAtRest();
	}

	private void stopClients() {
		this.clients.forEach((client) -> client.stop(Duration.ofMinutes(1)));
	}

	private void write(String file, String content) {
		try {
			Files.writeString(this.directory.resolve(file), content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void say(String line) {
		System.out.println(line);
	}

	Map<FaultKind, String> skipped() {
		return this.skipped;
	}

	/**
	 * The fault kinds that ran only as a model (clock faults without a working
	 * {@code libfaketime}: lock keys' TTLs shrink instead of the node's clock moving, which the
	 * engine cannot see), with how; {@code CI=true} fails the run on them.
	 */
	Map<FaultKind, String> modelled() {
		return this.modelled;
	}

	List<String> problems() {
		return this.problems;
	}

	/**
	 * Whether clock faults moved the nodes' own clocks ({@code libfaketime}), which the engine can
	 * see, rather than a model of them.
	 */
	boolean realClockFaults() {
		return this.nodes.realClocks() && !this.skipped.containsKey(FaultKind.CLOCK);
	}

	List<String> clockChecks() {
		return this.clockChecks;
	}

	FaultLog log() {
		return this.log;
	}

	Path directory() {
		return this.directory;
	}

	/** Kills what still runs, deletes the namespaces, stops the servers. */
	@Override
	public void close() {
		while (!this.resources.isEmpty()) {
			try {
				this.resources.pop().close();
			}
			catch (Exception ex) {
				this.problems.add("cleanup: " + ex);
			}
		}
	}

}
