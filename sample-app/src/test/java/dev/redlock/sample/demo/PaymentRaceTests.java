package dev.redlock.sample.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.core.RedlockSettings;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PaymentRace} on three real Redis nodes.
 */
class PaymentRaceTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final List<SimulatedInstance> instances = new ArrayList<>();

	@AfterEach
	void closeInstances() {
		this.instances.forEach(SimulatedInstance::close);
	}

	@Test
	void racingInstancesWithALockShouldPayEveryOrderOnce() {
		RoundResult round = race().run("locked", true);
		assertThat(round.doublePayments()).isZero();
		assertThat(round.ordersPaid()).isEqualTo(round.orders()).isEqualTo(10);
		assertThat(round.acquired()).isGreaterThanOrEqualTo(10);
		assertThat(round.attempts()).isEqualTo(round.acquired() + round.refused());
		assertThat(round.nodesUp()).isEqualTo(3);
		assertThat(round.percentileNanos(50)).isPositive();
	}

	@Test
	void racingInstancesWithoutALockShouldBeCaughtPayingTwice() {
		RoundResult round = race().run("unlocked", false);
		assertThat(round.doublePayments()).isPositive();
		assertThat(round.acquired()).isZero();
	}

	@Test
	void racingInstancesWithAMinorityOfNodesDownShouldStillPayEveryOrderOnce() {
		redis.get(2).kill();
		RoundResult round = race().run("one node down", true);
		assertThat(round.nodesUp()).isEqualTo(2);
		assertThat(round.doublePayments()).isZero();
		assertThat(round.ordersPaid()).isEqualTo(round.orders());
	}

	private PaymentRace race() {
		RedlockSettings settings = new RedlockSettings(Duration.ofSeconds(10), Duration.ZERO, Duration.ofMillis(10),
				Duration.ofMillis(10), Duration.ofMillis(200), 0.01, "test:");
		for (int i = 1; i <= 2; i++) {
			this.instances.add(SimulatedInstance.connect("instance-" + i, redis.uris(), settings, 3, Duration.ofSeconds(10),
					Duration.ofSeconds(1)));
		}
		DemoProperties properties = new DemoProperties(true, 2, 3, 10, Duration.ofMillis(20), Duration.ofSeconds(10));
		return new PaymentRace(this.instances, properties, "test");
	}

}
