package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outages are loud, once per change: a warning when a node becomes unusable and a line when it is
 * back; an error when fewer than a quorum are usable and a line when the quorum is back. With the
 * restart guard the probes tell; without it, the answers of the lock calls.
 */
@ExtendWith(OutputCaptureExtension.class)
class OutageLoggingTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<Redlock> engines = new ArrayList<>();

	@AfterEach
	void closeEngines() {
		this.engines.forEach(Redlock::close);
		redis.servers().all().forEach((server) -> {
			if (!server.isRunning()) {
				server.restart();
			}
		});
	}

	private Redlock engine(boolean guard) {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(1), Duration.ZERO, Duration.ofMillis(5),
				Duration.ofMillis(10), Duration.ofMillis(300), 0.01, "outage:", false,
				RedlockSettings.DEFAULT_MAX_HOLD_TIME, false);
		List<LockNode> nodes = new ArrayList<>();
		for (String uri : redis.uris()) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("node", uri), settings.nodeTimeout(), 4));
		}
		Redlock.Builder builder = Redlock.builder(nodes, settings);
		if (guard) {
			builder.restartGuard(Duration.ofSeconds(1), Duration.ofMillis(100));
		}
		Redlock engine = builder.build();
		this.engines.add(engine);
		return engine;
	}

	static int count(CapturedOutput output, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(output.getAll());
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	@Test
	void majorityDownAndBackShouldBeLoggedOncePerChange(CapturedOutput output) {
		Redlock engine = engine(true);
		String node1 = engine.nodes().get(1).name();
		String node2 = engine.nodes().get(2).name();
		redis.get(1).kill();
		redis.get(2).kill();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count(output, "ERROR .*Only 1 of 3 Redlock nodes are usable; a lock needs 2") == 1);
		for (int i = 0; i < 5; i++) {
			engine.probe();
		}
		assertThat(count(output, "WARN .*Redlock node " + Pattern.quote(node1) + " is unusable")).isEqualTo(1);
		assertThat(count(output, "WARN .*Redlock node " + Pattern.quote(node2) + " is unusable")).isEqualTo(1);
		assertThat(count(output, "ERROR .*Only 1 of 3")).as("once, not per probe").isEqualTo(1);

		redis.get(1).restart();
		redis.get(2).restart();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> count(output, "INFO .*A quorum of Redlock nodes is usable again") == 1);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count(output, "INFO .*Redlock node " + Pattern.quote(node2) + " is usable again") == 1);
		assertThat(count(output, "INFO .*Redlock node " + Pattern.quote(node1) + " is usable again")).isEqualTo(1);
	}

	@Test
	void withoutTheGuardTheLockCallsShouldTell(CapturedOutput output) {
		Redlock engine = engine(false);
		String node1 = engine.nodes().get(1).name();
		assertThat(engine.tryAcquire("k", Duration.ofSeconds(1), Duration.ZERO)).isPresent().get()
			.satisfies(dev.redlock.LockHandle::close);
		redis.get(1).kill();
		for (int i = 0; i < 5; i++) {
			engine.tryAcquire("k" + i, Duration.ofSeconds(1), Duration.ZERO).ifPresent(dev.redlock.LockHandle::close);
		}
		await().atMost(Duration.ofSeconds(5))
			.until(() -> count(output, "WARN .*Redlock node " + Pattern.quote(node1) + " is unusable") == 1);
		assertThat(count(output, "ERROR .*Redlock nodes are usable")).as("2 of 3 are a quorum").isZero();
		redis.get(1).restart();
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			engine.tryAcquire("again", Duration.ofSeconds(1), Duration.ZERO).ifPresent(dev.redlock.LockHandle::close);
			return count(output, "INFO .*Redlock node " + Pattern.quote(node1) + " is usable again") == 1;
		});
		assertThat(count(output, "WARN .*Redlock node " + Pattern.quote(node1) + " is unusable")).isEqualTo(1);
	}

}
