package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.test.FakeClock;
import dev.redlock.test.RedisBinary;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RequiredOnCi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose wall clock jumps forward (moved by {@code libfaketime}) is seen by the engine's own
 * probes ({@code TIME} against this process's monotonic clock): it may have expired lock keys
 * early, so like a node that restarted empty it is held out of the quorum until it has kept time
 * for the hold-out, with a warning naming it and the jump, and the observer (the meter) is told.
 * On three real Redis nodes, one of them on a fake clock.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClockJumpTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	@Test
	void nodeWhoseClockJumpsForwardShouldBeHeldOutForTheHoldOut(CapturedOutput output) {
		RequiredOnCi.assume(FakeClock.library().isPresent(), "libfaketime is not installed (package faketime)");
		List<Duration> jumps = new CopyOnWriteArrayList<>();
		try (FakeClock clock = FakeClock.create(FakeClock.library().get());
				RedisServerProcess n0 = RedisServerProcess.builder().binary(RedisBinary.embedded())
					.environment(clock.environment()).start();
				RedisServerProcess n1 = RedisServerProcess.start(); RedisServerProcess n2 = RedisServerProcess.start();
				Redlock redlock = NodeUnderTest.engine(List.of(n0, n1, n2), LEASE, (builder) -> builder.observer(new LockObserver() {

					@Override
					public void nodeClockJumped(String node, Duration jump) {
						jumps.add(jump);
					}

				}))) {
			assertThat(refusalOfNode0(redlock)).as("node 0 counts while its clock keeps time").isEmpty();
			assertThat(jumps).isEmpty();

			clock.advance(Duration.ofSeconds(5));
			// the engine's own probes (every 200 ms) see it; no probe by hand
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
				.until(() -> refusalOfNode0(redlock).contains("its clock jumped"));
			assertThat(jumps).hasSize(1);
			assertThat(jumps.get(0)).isBetween(Duration.ofMillis(4500), Duration.ofMillis(5500));
			assertThat(output.getAll()).containsPattern("Redlock node 127\\.0\\.0\\.1:" + n0.port()
					+ "'s clock jumped [0-9]+ms ahead of this process's clock over [0-9]+ms: it may have expired lock "
					+ "keys early; held out of the quorum until it has kept time for 2s");

			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
				.until(() -> refusalOfNode0(redlock).isEmpty());
			assertThat(jumps).as("counted once").hasSize(1);
		}
	}

	@Test
	void armedNodeWhoseClockJumpedShouldRefuseALockBeforeAnyProbeHasSeenIt() {
		RequiredOnCi.assume(FakeClock.library().isPresent(), "libfaketime is not installed (package faketime)");
		try (FakeClock clock = FakeClock.create(FakeClock.library().get());
				RedisServerProcess n0 = RedisServerProcess.builder().binary(RedisBinary.embedded())
					.environment(clock.environment()).start();
				RedisServerProcess n1 = RedisServerProcess.start(); RedisServerProcess n2 = RedisServerProcess.start();
				// the engine's own probes are an hour apart: only the lock command can see the jump
				Redlock redlock = NodeUnderTest.engine(List.of(n0, n1, n2), LEASE,
						(builder) -> builder.restartGuard(LEASE, Duration.ofHours(1)))) {
			assertThat(refusalOfNode0(redlock)).as("node 0 counts while its clock keeps time").isEmpty();
			n0.call("SET", "test:held", "first-owner", "PX", "1500");
			clock.advance(Duration.ofSeconds(2));
			assertThat(n0.call("GET", "test:held")).as("the jump expired the first owner's key early").isNull();
			assertThat(refusalOfNode0(redlock)).as("the armed script compares the node's clock with the last look")
				.contains("clock is ahead of what it was at the last probe");
			assertThat(refusalOfNode0(redlock)).as("held out until a probe has seen it")
				.contains("failed since its last probe");
			assertThat(redlock.probe().get(0).problem()).contains("its clock jumped");
		}
	}

	private static String refusalOfNode0(Redlock redlock) {
		return NodeUnderTest.refusalOfNode0(redlock, LEASE);
	}

}
