package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.redlock.core.jedis.ArmedScriptsForTests;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * {@link SimulatedNode} against a real {@code redis-server}: for each seed, one random sequence of
 * commands (acquire, release, extend and shorten of one key or of two at once, the armed and the
 * fenced acquire, the armed scripts' clock refusal, raise-fence, expiry, arming ticket and marker,
 * registry, counters, an empty restart) goes to both, through the production node ({@link JedisLockNode}, or its armed
 * scripts with a chosen latest node time where the node would take it from a probe), and both
 * must give the same replies and then hold the same keys with the same values, times to live
 * within {@link #TTL_TOLERANCE_MILLIS}. The simulated node runs on virtual time kept in step with
 * real time, its clock set to the real node's; expiry is waited for on both (bounded). A failure
 * names the seed and the last steps.
 */
class SimulatedNodeConformanceTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	private static final int STEPS = 250;

	/** Two clocks read a few commands apart on a loaded machine. */
	private static final long TTL_TOLERANCE_MILLIS = 300;

	private static final String PREFIX = "conformance:";

	private static final ArmableNode.Keys ARMING = new ArmableNode.Keys(PREFIX + KeySpace.ARMED_MARKER,
			PREFIX + KeySpace.ARMING_TICKET, PREFIX + KeySpace.REGISTRY_PREFIX);

	private static final List<String> KEYS = List.of(PREFIX + "a", PREFIX + "b", PREFIX + "c");

	private static final List<String> TOKENS = List.of("t1", "t2", "t3");

	private final List<AutoCloseable> closing = new ArrayList<>();

	static LongStream seeds() {
		// four fixed seeds and a new one each run (-Dconformance.seed=N replays it)
		return LongStream.of(1, 2, 3, 20261207,
				Long.getLong("conformance.seed", ThreadLocalRandom.current().nextLong(1L << 40)));
	}

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.closing) {
			resource.close();
		}
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void simulatedNodeShouldAnswerAndKeepKeysAsARealNodeDoes(long seed) {
		RedisServerProcess server = redis.get(0);
		server.flushAll();
		Pair pair = new Pair(server, seed);
		Deque<String> recent = new ArrayDeque<>();
		for (int step = 0; step < STEPS; step++) {
			String done = pair.step();
			recent.addLast(step + ": " + done);
			if (recent.size() > 8) {
				recent.removeFirst();
			}
			String where = "seed " + seed + ", after steps\n  " + String.join("\n  ", recent);
			pair.compareKeys(where);
		}
	}

	/** The real node and the simulated one, driven alike. */
	private final class Pair {

		private final RedisServerProcess server;

		private final SplittableRandom random;

		/** Without arming: {@code SET NX PX} and the plain fenced script. */
		private final JedisLockNode plain;

		/** Arming required: the armed scripts. */
		private final JedisLockNode armed;

		private final ArmableNode arming;

		private final ArmedScriptsForTests scripts;

		private final EngineSimulation sim;

		private final SimulatedNode node;

		private final long start = System.nanoTime();

		private String lastTicket = "none";

		Pair(RedisServerProcess server, long seed) {
			this.server = server;
			this.random = new SplittableRandom(seed);
			RedisNodeAddress address = RedisNodeAddress.parse("node", server.uri());
			this.plain = new JedisLockNode(address, Duration.ofSeconds(2), 2);
			this.armed = new JedisLockNode(address, Duration.ofSeconds(2), 2);
			this.arming = this.armed.capability(ArmableNode.class).orElseThrow();
			this.arming.requireArming(ARMING);
			this.scripts = new ArmedScriptsForTests(RedisServerProcess.HOST, server.port());
			SimulatedNodeConformanceTests.this.closing.addAll(List.of(this.plain, this.armed, this.scripts));
			this.sim = new EngineSimulation(EngineSimulation.Config.of(seed, 1));
			this.node = new SimulatedNode(this.sim, 0, new SplittableRandom(seed));
			// the simulated node's clock is set to the real node's
			syncTime();
			this.node.jump(serverMicros() * 1_000 - this.node.nodeNanos());
		}

		private void syncTime() {
			this.sim.advanceTo(System.nanoTime() - this.start);
		}

		private long serverMicros() {
			List<?> time = (List<?>) this.server.call("TIME");
			return Long.parseLong((String) time.get(0)) * 1_000_000 + Long.parseLong((String) time.get(1));
		}

		private <T> T pick(List<T> items) {
			return items.get(this.random.nextInt(items.size()));
		}

		/** {@code key} alone, or now and then with a second key (a multi-key lock), in sorted order. */
		private List<String> keys(String key) {
			if (this.random.nextInt(3) != 0) {
				return List.of(key);
			}
			return List.copyOf(new TreeSet<>(List.of(key, pick(KEYS))));
		}

		private long longTtl() {
			return 2_000 + this.random.nextLong(60_000);
		}

		/** One random command to both; returns what it was and what both answered. */
		String step() {
			String key = pick(KEYS);
			String token = pick(TOKENS);
			String counter = KeySpace.counterKey(key);
			int dice = this.random.nextInt(100);
			String op;
			Object real;
			Object simulated;
			if (dice < 16) {
				boolean armedOnly = this.random.nextBoolean();
				long ttl = longTtl();
				List<String> keys = keys(key);
				op = "acquire " + keys + " " + token + " " + ttl + (armedOnly ? " armed" : "");
				real = reply(() -> (armedOnly ? this.armed : this.plain).tryAcquire(keys, token, ttl) ? 1L : 0L);
				simulated = sim(() -> this.node.acquire(keys, token, ttl, armedOnly, 0));
			}
			else if (dice < 30) {
				boolean armedOnly = this.random.nextBoolean();
				long ttl = longTtl();
				op = "fenced acquire " + key + " " + token + " " + ttl + (armedOnly ? " armed" : "");
				real = reply(() -> (armedOnly ? this.armed : this.plain).tryAcquireFenced(key, token, ttl, counter));
				simulated = sim(() -> this.node.acquireFenced(key, token, ttl, counter, armedOnly, 0));
			}
			else if (dice < 38) {
				boolean fenced = this.random.nextBoolean();
				long ttl = longTtl();
				// a node clock later than the latest accepted (it jumped), or well within it, or no check
				long latest = switch (this.random.nextInt(3)) {
					case 0 -> serverMicros() - 10_000_000;
					case 1 -> serverMicros() + 10_000_000;
					default -> 0;
				};
				op = (fenced ? "fenced " : "") + "acquire " + key + " " + token + " " + ttl + " armed, latest " + latest;
				real = fenced ? this.scripts.acquireFenced(ARMING.marker(), key, token, ttl, counter, latest)
						: this.scripts.acquire(ARMING.marker(), key, token, ttl, latest);
				simulated = sim(() -> fenced ? this.node.acquireFenced(key, token, ttl, counter, true, latest)
						: this.node.acquire(key, token, ttl, true, latest));
			}
			else if (dice < 45) {
				long value = this.random.nextLong(31);
				op = "raise fence " + key + " " + token + " " + value;
				real = this.plain.raiseFence(key, token, counter, value);
				simulated = sim(() -> this.node.raiseFence(key, token, counter, value));
			}
			else if (dice < 57) {
				List<String> keys = keys(key);
				op = "release " + keys + " " + token;
				real = this.plain.release(keys, token);
				simulated = sim(() -> this.node.release(keys, token));
			}
			else if (dice < 66) {
				long ttl = longTtl();
				List<String> keys = keys(key);
				op = "extend " + keys + " " + token + " " + ttl;
				real = this.plain.extend(keys, token, ttl);
				simulated = sim(() -> this.node.extend(keys, token, ttl));
			}
			else if (dice < 72) {
				// the hold-at-least release sets what is left of it; 0 when nothing is
				long ttl = this.random.nextBoolean() ? 0 : 1_000 + this.random.nextLong(1_000);
				List<String> keys = keys(key);
				op = "shorten " + keys + " " + token + " " + ttl;
				real = this.plain.extend(keys, token, ttl);
				simulated = sim(() -> this.node.extend(keys, token, ttl));
			}
			else if (dice < 77) {
				return expire(key);
			}
			else if (dice < 81) {
				op = "begin arming";
				this.lastTicket = this.arming.beginArming();
				String ticket = this.lastTicket;
				real = ticket;
				simulated = sim(() -> {
					this.node.setTicket(ticket);
					return ticket;
				});
			}
			else if (dice < 83) {
				String ticket = this.random.nextInt(4) == 0 ? "stale" : this.lastTicket;
				op = "abandon arming " + ticket;
				this.arming.abandonArming(ticket);
				real = this.arming.isBeingArmed();
				simulated = sim(() -> {
					this.node.abandonTicket(ticket);
					return this.node.hasTicket();
				});
			}
			else if (dice < 86) {
				String ticket = this.random.nextInt(4) == 0 ? "stale" : this.lastTicket;
				String runId = "run-" + this.random.nextInt(5);
				op = "arm " + ticket + " " + runId;
				real = this.arming.arm(ticket, runId);
				simulated = sim(() -> this.node.arm(ticket, runId));
			}
			else if (dice < 88) {
				op = "read arming";
				real = List.of(String.valueOf(this.arming.armedIncarnation()), this.arming.isBeingArmed());
				simulated = sim(() -> List.of(String.valueOf(this.node.armedIncarnation()), this.node.hasTicket()));
			}
			else if (dice < 91) {
				Map<String, String> entries = new LinkedHashMap<>();
				entries.put("n" + this.random.nextInt(3), "v" + this.random.nextInt(100));
				entries.put("n" + this.random.nextInt(3), "v" + this.random.nextInt(100));
				boolean overwrite = this.random.nextBoolean();
				op = "write registry " + entries + (overwrite ? "" : " nx");
				this.arming.writeRegistry(entries, overwrite);
				sim(() -> {
					this.node.writeRegistry(entries, overwrite);
					return null;
				});
				real = this.arming.readRegistry();
				simulated = this.node.registry();
			}
			else if (dice < 94) {
				Map<String, Long> raised = new HashMap<>();
				raised.put(KeySpace.counterKey(pick(KEYS)), this.random.nextLong(40));
				op = "raise counters " + raised;
				this.arming.raiseFencingCounters(raised);
				sim(() -> {
					this.node.raiseCounters(raised);
					return null;
				});
				real = null;
				simulated = null;
			}
			else if (dice < 98) {
				op = "read counters";
				Map<String, Long> read = new HashMap<>();
				boolean found = this.arming.readFencingCounters(PREFIX, KeySpace.FENCING_SUFFIX, read::putAll);
				real = List.of(found, read);
				// what Arming reads from a simulated node: its counters, while it has a marker
				simulated = sim(() -> this.node.hasMarker() ? List.of(true, this.node.counters()) : List.of(false, Map.of()));
			}
			else {
				op = "restart empty";
				this.server.flushAll();
				sim(() -> {
					this.node.restartEmpty(this.sim.now());
					return null;
				});
				real = null;
				simulated = null;
			}
			String done = op + " -> " + real;
			assertThat(simulated).as("the simulated node's reply to: " + op).isEqualTo(real);
			return done;
		}

		/** Runs a command on the simulated node at the real time now. */
		private <T> T sim(Supplier<T> command) {
			syncTime();
			return command.get();
		}

		/**
		 * A holder's key shortened to a few milliseconds, then both must let it expire (bounded),
		 * the simulated node on virtual time moved in step with the real node's clock.
		 */
		private String expire(String key) {
			Object value = this.server.call("GET", key);
			if (!(value instanceof String holder)) {
				return "expire " + key + ": absent";
			}
			long ttl = 5 + this.random.nextLong(60);
			boolean real = this.plain.extend(List.of(key), holder, ttl);
			boolean simulated = sim(() -> this.node.extend(key, holder, ttl));
			assertThat(simulated).as("the simulated node's reply to a shortening to " + ttl + " ms").isEqualTo(real);
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
				syncTime();
				return this.server.call("EXISTS", key).equals(0L) && !this.node.holds(key, holder);
			});
			return "expire " + key + " " + holder + " after " + ttl + " ms";
		}

		private Object reply(Supplier<Long> call) {
			try {
				return call.get();
			}
			catch (NodeFailure ex) {
				return switch (ex.kind()) {
					case NOT_ARMED -> -2L;
					case FAILED -> ex.getMessage().contains("clock") ? -3L : fail("the node failed", ex);
					default -> fail("the node failed", ex);
				};
			}
		}

		/** Both nodes hold the same keys with the same values; times to live within the tolerance. */
		void compareKeys(String where) {
			// the simulated node first: the real one's times to live are read up to `reading` later
			syncTime();
			Map<String, SimulatedNode.Stored> simulated = this.node.keyspace(ARMING.marker(), ARMING.ticket(),
					ARMING.registryPrefix());
			long readFrom = System.nanoTime();
			Map<String, SimulatedNode.Stored> real = new HashMap<>();
			for (String key : this.server.keys("*")) {
				Object value = this.server.call("GET", key);
				if (value instanceof String text) {
					real.put(key, new SimulatedNode.Stored(text, (Long) this.server.call("PTTL", key)));
				}
			}
			long reading = Duration.ofNanos(System.nanoTime() - readFrom).toMillis() + 1;
			assertThat(simulated.keySet()).as("keys, " + where).isEqualTo(real.keySet());
			real.forEach((key, stored) -> {
				SimulatedNode.Stored other = simulated.get(key);
				assertThat(other.value()).as("value of " + key + ", " + where).isEqualTo(stored.value());
				if (stored.ttlMillis() < 0) {
					assertThat(other.ttlMillis()).as("time to live of " + key + ", " + where).isEqualTo(stored.ttlMillis());
				}
				else {
					assertThat(other.ttlMillis()).as("time to live of " + key + ", " + where)
						.isBetween(stored.ttlMillis() - TTL_TOLERANCE_MILLIS, stored.ttlMillis() + TTL_TOLERANCE_MILLIS + reading);
				}
			});
		}

	}

}
