package dev.redlock.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.redlock.test.FakeClock;
import dev.redlock.test.RedisBinary;
import dev.redlock.test.RedisServerBuilder;
import dev.redlock.test.RedisServerProcess;

/**
 * The five Redis masters of the quorum, started in parallel, listening on 127.0.0.1 (for the
 * suite) and on the clients' bridge. With {@code libfaketime}, the last {@value #CLOCK_NODES} run
 * the embedded Redis 6.2 build on a {@link FakeClock} each, so that their wall clock can really
 * jump or run fast; otherwise a clock fault is modelled on any node ({@link NodeClock}).
 */
final class LockNodes implements AutoCloseable {

	/** How many nodes run on a fake clock when {@code libfaketime} is there. */
	static final int CLOCK_NODES = 2;

	/** The engine's key prefix in the clients. */
	static final String KEY_PREFIX = "fault:";

	/** The marker of an armed node, {@code <key-prefix>__redlock_armed__} (see docs/operations.md, "Restarted nodes"). */
	static final String ARMED_MARKER = KEY_PREFIX + "__redlock_armed__";

	private final List<RedisServerProcess> servers;

	private final List<NodeClock> clocks;

	private final List<FakeClock> fakeClocks;

	private LockNodes(List<RedisServerProcess> servers, List<NodeClock> clocks, List<FakeClock> fakeClocks) {
		this.servers = servers;
		this.clocks = clocks;
		this.fakeClocks = fakeClocks;
	}

	/**
	 * Starts the nodes.
	 * @param count how many
	 * @param alsoBind the clients' bridge address, or {@code null}
	 * @param faketime {@code libfaketime}, if real clock faults are possible
	 * @return the running nodes
	 */
	static LockNodes start(int count, String alsoBind, Optional<Path> faketime) {
		List<FakeClock> fakeClocks = new ArrayList<>();
		List<CompletableFuture<RedisServerProcess>> starting = new ArrayList<>();
		for (int node = 0; node < count; node++) {
			RedisServerBuilder builder = RedisServerProcess.builder();
			if (alsoBind != null) {
				builder.alsoBind(alsoBind);
			}
			if (faketime.isPresent() && node >= count - CLOCK_NODES) {
				FakeClock clock = FakeClock.create(faketime.get());
				fakeClocks.add(clock);
				builder.binary(RedisBinary.embedded()).environment(clock.environment());
			}
			starting.add(CompletableFuture.supplyAsync(builder::start));
		}
		List<RedisServerProcess> servers;
		try {
			servers = starting.stream().map(CompletableFuture::join).toList();
		}
		catch (RuntimeException ex) {
			// stop those that did start before giving up
			starting.stream().filter((future) -> !future.isCompletedExceptionally())
				.forEach((future) -> future.join().close());
			fakeClocks.forEach(FakeClock::close);
			throw ex;
		}
		List<NodeClock> clocks = new ArrayList<>();
		for (int node = 0; node < count; node++) {
			int fake = node - (count - fakeClocks.size());
			clocks.add((fake >= 0) ? NodeClock.real(fakeClocks.get(fake)) : NodeClock.modelled(servers.get(node)));
		}
		return new LockNodes(servers, clocks, fakeClocks);
	}

	int size() {
		return this.servers.size();
	}

	RedisServerProcess get(int node) {
		return this.servers.get(node);
	}

	List<RedisServerProcess> all() {
		return this.servers;
	}

	/**
	 * The nodes whose clock a fault may move: those on a fake clock, or every node where the
	 * faults are modelled.
	 * @return the node indexes
	 */
	List<Integer> clockNodes() {
		List<Integer> nodes = new ArrayList<>();
		for (int node = 0; node < this.servers.size(); node++) {
			if (this.fakeClocks.isEmpty() || this.clocks.get(node).isReal()) {
				nodes.add(node);
			}
		}
		return nodes;
	}

	boolean realClocks() {
		return !this.fakeClocks.isEmpty();
	}

	NodeClock clock(int node) {
		return this.clocks.get(node);
	}

	/**
	 * Lock keys on the running nodes: not fencing counters, arming markers or health canaries.
	 * @return {@code node/key (pttl)} for each
	 */
	List<String> lockKeys() {
		List<String> keys = new ArrayList<>();
		for (int node = 0; node < this.servers.size(); node++) {
			RedisServerProcess server = this.servers.get(node);
			if (server.isRunning()) {
				for (String key : server.keys(KEY_PREFIX + "k*")) {
					if (!key.endsWith(":fencing")) {
						keys.add("n" + node + "/" + key + " (pttl " + server.call("PTTL", key) + "ms)");
					}
				}
			}
		}
		return keys;
	}

	/**
	 * Whether a node answers and grants locks again (its arming marker is there).
	 * @param node the node
	 * @return {@code true} if armed
	 */
	boolean armed(int node) {
		try {
			RedisServerProcess server = this.servers.get(node);
			return server.isRunning() && Long.valueOf(1).equals(server.call("EXISTS", ARMED_MARKER));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Whether a node answers at once (not killed, not in a {@code DEBUG SLEEP}).
	 * @param node the node
	 * @return {@code true} if it answered {@code PING}
	 */
	boolean answers(int node) {
		try {
			return this.servers.get(node).isRunning() && "PONG".equals(this.servers.get(node).call("PING"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	Duration clockOffset(int node) {
		return this.clocks.get(node).offset();
	}

	@Override
	public void close() {
		this.servers.forEach(RedisServerProcess::close);
		this.fakeClocks.forEach(FakeClock::close);
	}

}
