package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.NodeOutcome;
import dev.redlock.NodeOutcome.Status;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.DelayProxy;
import dev.redlock.test.LockHold;
import dev.redlock.test.LockHolds;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mutual exclusion and fencing under faults, on five real Redis nodes. Four independent engines
 * (each with its own connection pools, as four JVMs would have) run three contenders each; they
 * take locks of every kind at random ({@link ChaosContender.Kind}: plain single-key locks on the
 * path where the locking thread reads the answers itself, fenced ones, renewed long holds,
 * extended ones, several keys at once, hold-at-least) on six keys, while a {@link ChaosMonkey}
 * kills and restarts (empty), pauses, or slows the links to a random minority of the nodes, again
 * and again. Every engine reaches two of its five nodes through a {@link DelayProxy}, and holds
 * restarted nodes out of the quorum with its restart guard (hold-out = lease). Every successful
 * acquisition is recorded with its validity deadline at the grant (and every deadline renewal or
 * {@code extend} moved it to); the checks ({@link LockHolds}): no two holds of a key are valid at
 * the same time, lost and expired ones included; fenced tokens of a key increase; the history
 * holds every success; every fault could be injected; locks were taken while a quorum was
 * healthy, and attempts found a quorum when one was healthy and free; no lock key outlives its
 * lease. The run prints a summary (and, on a violation, the holds and the faults around it).
 *
 * <p>The CI run takes about 17 seconds (12 of them under faults). The long run, until 100,000
 * acquisitions succeeded or {@code chaos.maxMinutes} (30 by default) have passed; at about 75
 * acquisitions a second it takes some 23 minutes:
 *
 * <pre>
 * ./mvnw -B -pl redlock-test-support,redlock-spring-boot-autoconfigure verify -Dtest=ChaosTests -Dsurefire.failIfNoSpecifiedTests=false -Dchaos.acquisitions=100000
 * </pre>
 *
 * <p>Parameters, as system properties (Surefire passes {@code -D} properties of the Maven command
 * line on to the test JVM) or, as a fallback, environment variables:
 * <ul>
 * <li>{@code chaos.seed} / {@code CHAOS_SEED}: the seed of every random decision (printed);
 * {@value #DEFAULT_SEED} by default</li>
 * <li>{@code chaos.acquisitions} / {@code CHAOS_ACQUISITIONS}: successful acquisitions after
 * which the run stops</li>
 * <li>{@code chaos.maxMinutes} / {@code CHAOS_MAX_MINUTES}: the longest the run goes on
 * (decimals allowed); 30 when {@code chaos.acquisitions} is given, 0.2 (12 s) otherwise</li>
 * </ul>
 * The summary goes to standard output, which the build redirects to
 * {@code redlock-spring-boot-autoconfigure/target/surefire-reports/dev.redlock.core.ChaosTests-output.txt}.
 */
class ChaosTests {

	static final long DEFAULT_SEED = 20250611L;

	private static final int NODES = 5;

	private static final int CLIENTS = 4;

	private static final int CONTENDERS_PER_CLIENT = 3;

	private static final int KEYS = 6;

	private static final Duration LEASE = Duration.ofMillis(1500);

	private static final Duration HOLD_OUT = LEASE;

	private static final Duration CHECK_INTERVAL = Duration.ofMillis(100);

	private static final Duration NODE_TIMEOUT = Duration.ofMillis(100);

	private static final Duration WAIT = Duration.ofMillis(300);

	private static final int CI_ACQUISITIONS = 50_000;

	private static final double CI_MINUTES = 0.2;

	private static final double LONG_RUN_MINUTES = 30;

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(NODES);

	private final Deque<AutoCloseable> resources = new ArrayDeque<>();

	@AfterEach
	void closeEverything() {
		while (!this.resources.isEmpty()) {
			try {
				this.resources.pop().close();
			}
			catch (Exception ex) {
				// the next test starts from restarted, flushed servers anyway
			}
		}
	}

	@Test
	void locksShouldStayExclusiveAndStrictlyFencedWhileAMinorityOfNodesCrashesPausesOrSlowsDown() throws Exception {
		Parameters parameters = Parameters.fromEnvironment();
		long origin = System.nanoTime();
		Random random = new Random(parameters.seed());
		System.out.printf(Locale.ROOT, "Chaos run: seed %d (-Dchaos.seed=%d makes the same random choices), target %d "
				+ "acquisitions, at most %.2f minutes%n", parameters.seed(), parameters.seed(),
				parameters.acquisitions(), parameters.maxMinutes());

		// client c reaches nodes 2c and 2c+1 (mod 5) through a proxy: every node has one or two
		boolean[][] proxied = new boolean[CLIENTS][NODES];
		DelayProxy[][] proxies = new DelayProxy[CLIENTS][NODES];
		List<List<DelayProxy>> proxiesByNode = new ArrayList<>();
		Map<String, String> nodeNames = new HashMap<>();
		for (int node = 0; node < NODES; node++) {
			proxiesByNode.add(new ArrayList<>());
			nodeNames.put(RedisServerProcess.HOST + ":" + redis.get(node).port(), "n" + node);
		}
		for (int client = 0; client < CLIENTS; client++) {
			for (int node : List.of((2 * client) % NODES, (2 * client + 1) % NODES)) {
				DelayProxy proxy = DelayProxy.to(redis.get(node));
				this.resources.push(proxy);
				proxied[client][node] = true;
				proxies[client][node] = proxy;
				proxiesByNode.get(node).add(proxy);
				nodeNames.put(RedisServerProcess.HOST + ":" + proxy.port(), "n" + node + " (proxied)");
			}
		}
		ChaosMonkey chaos = new ChaosMonkey(redis.servers().all(), proxiesByNode, proxied,
				new Random(random.nextLong()), "test:" + KeySpace.ARMED_MARKER, origin);

		List<Redlock> engines = new ArrayList<>();
		AtomicLong losses = new AtomicLong();
		RedlockSettings settings = new RedlockSettings(LEASE, WAIT, Duration.ofMillis(5), Duration.ofMillis(10),
				NODE_TIMEOUT, 0.01, "test:", true, RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		for (int client = 0; client < CLIENTS; client++) {
			List<LockNode> nodes = new ArrayList<>();
			for (int node = 0; node < NODES; node++) {
				String uri = proxied[client][node] ? proxies[client][node].uri() : redis.get(node).uri();
				nodes.add(new JedisLockNode(RedisNodeAddress.parse("redlock.nodes", uri), NODE_TIMEOUT, 8));
			}
			String clientName = "c" + client;
			Redlock engine = Redlock.builder(nodes, settings)
				.restartGuard(HOLD_OUT, CHECK_INTERVAL)
				.observer(new LockObserver() {

					@Override
					public void nodeFailed(NodeOutcome outcome) {
						if (outcome.status() == Status.FAILED) {
							chaos.nodeFailed(clientName, nodeNames.getOrDefault(outcome.node(), outcome.node()),
									outcome.detail());
						}
					}

					@Override
					public void lockLost(HeldLock lock) {
						losses.incrementAndGet();
					}

				})
				.build();
			this.resources.push(engine);
			engines.add(engine);
		}
		// every node must count before the faults begin (fresh nodes may be held out for the hold-out)
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
			.until(() -> engines.stream().allMatch(ChaosTests::allNodesCount));

		ChaosContender.Run run = new ChaosContender.Run(parameters.acquisitions(),
				System.nanoTime() + (long) (parameters.maxMinutes() * TimeUnit.MINUTES.toNanos(1)));
		ChaosContender.Stats stats = new ChaosContender.Stats();
		ScheduledThreadPoolExecutor contenders = new ScheduledThreadPoolExecutor(CLIENTS * CONTENDERS_PER_CLIENT,
				(task) -> {
					Thread thread = new Thread(task, "chaos-contender");
					thread.setDaemon(true);
					return thread;
				});
		this.resources.push(contenders::shutdownNow);
		CountDownLatch finished = new CountDownLatch(CLIENTS * CONTENDERS_PER_CLIENT);
		long started = System.nanoTime();
		chaos.start(Duration.ofMillis(25), run.deadline());
		this.resources.push(chaos::stopAndHeal);
		for (int client = 0; client < CLIENTS; client++) {
			for (int contender = 0; contender < CONTENDERS_PER_CLIENT; contender++) {
				new ChaosContender(client, "c" + client + "/" + contender, engines.get(client), chaos, run, stats,
						new Random(random.nextLong()), contenders, finished, LEASE, WAIT, KEYS).next();
			}
		}
		if (parameters.maxMinutes() > 1) {
			contenders.scheduleAtFixedRate(() -> System.out.printf(Locale.ROOT,
					"%7.0fs: %d of %d acquisitions, %d kills, %d pauses, %d slowdowns%n",
					(System.nanoTime() - started) / 1e9, stats.succeeded.get(), parameters.acquisitions(), chaos.kills(),
					chaos.pauses(), chaos.slowdowns()), 30, 30, TimeUnit.SECONDS);
		}
		await().atMost(Duration.ofNanos(run.deadline() - System.nanoTime()).plusMinutes(1))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> finished.getCount() == 0);
		long duration = System.nanoTime() - started;

		chaos.stopAndHeal();
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
			.until(() -> redis.servers().all().stream().allMatch(ChaosTests::answers));
		for (Redlock engine : engines) {
			engine.close();
		}
		List<String> keysLeft;
		try {
			await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
				.until(() -> lockKeysLeft().isEmpty());
			keysLeft = List.of();
		}
		catch (ConditionTimeoutException ex) {
			keysLeft = lockKeysLeft();
		}

		List<LockHold> holds = List.copyOf(stats.holds);
		List<LockHolds.Violation> overlaps = LockHolds.overlaps(holds);
		List<LockHolds.Violation> fencing = LockHolds.tokenOrderViolations(holds);
		printSummary(parameters, duration, chaos, stats, losses.get(), holds, overlaps, fencing, keysLeft);
		printEvidence("Mutual-exclusion violations", overlaps, chaos, origin);
		printEvidence("Fencing-order violations", fencing, chaos, origin);

		assertThat(stats.errors).as("unexpected exceptions from the engine").isEmpty();
		assertThat(chaos.failedFaults()).as("faults that could not be injected (seed %d)", parameters.seed()).isEmpty();
		assertThat(overlaps).as("mutual-exclusion violations (seed %d)", parameters.seed()).isEmpty();
		assertThat(fencing).as("fencing-order violations (seed %d)", parameters.seed()).isEmpty();
		assertThat(keysLeft).as("lock keys left after their lease").isEmpty();
		assertThat(holds).as("every successful acquisition is in the history").hasSize((int) stats.succeeded.get());
		for (ChaosContender.Kind kind : ChaosContender.Kind.values()) {
			assertThat(stats.byKind.get(kind.ordinal())).as("acquisitions of kind %s", kind).isPositive();
		}
		assertThat(chaos.kills()).as("nodes killed").isPositive();
		assertThat(chaos.pauses()).as("nodes paused").isPositive();
		assertThat(chaos.slowdowns()).as("links slowed").isPositive();
		assertThat(stats.succeededHealthy.get()).as("locks taken while a quorum was healthy").isPositive();
		assertThat(stats.unavailableHealthy.get())
			.as("attempts that found no quorum although one was healthy and no node was held by another")
			.isLessThanOrEqualTo(stats.attemptedHealthy.get() / 20);
	}

	private static boolean allNodesCount(Redlock engine) {
		return engine.probe().stream().allMatch((status) -> status.problem().isEmpty());
	}

	private static boolean answers(RedisServerProcess server) {
		try {
			return server.isRunning() && "PONG".equals(server.call("PING"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Lock keys on any node, without fencing counters and the engine's own keys (arming markers,
	 * tickets and registry: they live on, by design; probe canaries: a probe that timed out on a
	 * paused node leaves its canary for its 10 s TTL; it is no lock).
	 */
	private static List<String> lockKeysLeft() {
		List<String> keys = new ArrayList<>();
		for (RedisServerProcess server : redis.servers().all()) {
			for (String key : server.keys("test:*")) {
				if (!key.endsWith(KeySpace.FENCING_SUFFIX) && !key.contains("__redlock_")) {
					keys.add(server.port() + "/" + key + " (pttl " + server.call("PTTL", key) + "ms)");
				}
			}
		}
		return keys;
	}

	private static void printSummary(Parameters parameters, long duration, ChaosMonkey chaos,
			ChaosContender.Stats stats, long losses, List<LockHold> holds, List<LockHolds.Violation> overlaps,
			List<LockHolds.Violation> fencing, List<String> keysLeft) {
		long attemptedHealthy = stats.attemptedHealthy.get();
		long succeededHealthy = stats.succeededHealthy.get();
		StringBuilder kinds = new StringBuilder();
		for (ChaosContender.Kind kind : ChaosContender.Kind.values()) {
			kinds.append((kinds.length() > 0) ? ", " : "").append(kind).append(' ').append(stats.byKind.get(kind.ordinal()));
		}
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, "%nChaos summary (%d clients x %d contenders, %d nodes, %d keys, "
				+ "lease %dms, node timeout %dms, wait %dms, restart hold-out %dms)%n", CLIENTS, CONTENDERS_PER_CLIENT,
				NODES, KEYS, LEASE.toMillis(), NODE_TIMEOUT.toMillis(), WAIT.toMillis(), HOLD_OUT.toMillis()));
		row(table, "seed", Long.toString(parameters.seed()));
		row(table, "duration", String.format(Locale.ROOT, "%.1f s", duration / 1e9));
		row(table, "faults (node kills / pauses / slowed)",
				chaos.kills() + " / " + chaos.pauses() + " / " + chaos.slowdowns()
						+ ((chaos.failures() > 0) ? " (" + chaos.failures() + " failed)" : ""));
		row(table, "acquisitions attempted", Long.toString(stats.attempted.get()));
		row(table, "acquisitions succeeded", stats.succeeded.get() + " (" + kinds + ")");
		row(table, "acquisitions failed", stats.failed.get() + " (" + stats.contended.get()
				+ " of them with the key held by another on some node)");
		row(table, "succeeded while a quorum was healthy", String.format(Locale.ROOT, "%.1f%% (%d of %d attempts)",
				(attemptedHealthy > 0) ? 100.0 * succeededHealthy / attemptedHealthy : 0.0, succeededHealthy,
				attemptedHealthy));
		row(table, "no quorum although one was healthy", Long.toString(stats.unavailableHealthy.get()));
		row(table, "holds checked (all, lost ones included)", Integer.toString(holds.size()));
		row(table, "holds that outlived their validity", Long.toString(stats.expired.get()));
		row(table, "locks reported lost", Long.toString(losses));
		row(table, "mutual-exclusion violations", Integer.toString(overlaps.size()));
		row(table, "fencing-order violations", Integer.toString(fencing.size()));
		row(table, "lock keys left after the lease", Integer.toString(keysLeft.size()));
		row(table, "unexpected exceptions", Integer.toString(stats.errors.size()));
		System.out.println(table);
		if (!keysLeft.isEmpty()) {
			System.out.println("Lock keys left: " + keysLeft);
		}
	}

	private static void row(StringBuilder table, String name, String value) {
		table.append(String.format(Locale.ROOT, "  %-40s %s%n", name, value));
	}

	/**
	 * Prints the first violations, each with the faults from 3 s before the earlier hold began to
	 * the end of the later one (times in seconds since the run's origin).
	 */
	private static void printEvidence(String title, List<LockHolds.Violation> violations, ChaosMonkey chaos,
			long origin) {
		if (violations.isEmpty()) {
			return;
		}
		System.out.println(title + " (" + violations.size() + ", the first 20, with the faults around them):");
		for (LockHolds.Violation violation : violations.subList(0, Math.min(20, violations.size()))) {
			System.out.println("  " + violation);
			for (LockHold hold : List.of(violation.earlier(), violation.later())) {
				System.out.printf(Locale.ROOT, "    %s requested %.6fs granted %.6fs ended %.6fs: %s%n", hold.id(),
						(hold.requested() - origin) / 1e9, (hold.granted() - origin) / 1e9, (hold.ended() - origin) / 1e9,
						hold);
			}
			long from = violation.earlier().requested() - TimeUnit.SECONDS.toNanos(3);
			long to = Math.max(violation.earlier().validUntil(), violation.later().validUntil());
			chaos.events(from, to).forEach((event) -> System.out.println("      " + event));
		}
	}

	/**
	 * The run's parameters.
	 * @param seed the seed of every random decision
	 * @param acquisitions successful acquisitions after which the run stops
	 * @param maxMinutes the longest the run goes on
	 */
	record Parameters(long seed, long acquisitions, double maxMinutes) {

		static Parameters fromEnvironment() {
			String seed = parameter("chaos.seed");
			String acquisitions = parameter("chaos.acquisitions");
			String maxMinutes = parameter("chaos.maxMinutes");
			return new Parameters((seed != null) ? Long.parseLong(seed) : DEFAULT_SEED,
					(acquisitions != null) ? Long.parseLong(acquisitions) : CI_ACQUISITIONS,
					(maxMinutes != null) ? Double.parseDouble(maxMinutes)
							: (acquisitions != null) ? LONG_RUN_MINUTES : CI_MINUTES);
		}

		/** A system property, or else the environment variable of the same name in upper snake case. */
		private static String parameter(String property) {
			String value = System.getProperty(property);
			if (value == null || value.isBlank()) {
				value = System.getenv(property.replace('.', '_')
					.replaceAll("([a-z])([A-Z])", "$1_$2")
					.toUpperCase(Locale.ROOT));
			}
			return (value == null || value.isBlank()) ? null : value.trim();
		}

	}

}
