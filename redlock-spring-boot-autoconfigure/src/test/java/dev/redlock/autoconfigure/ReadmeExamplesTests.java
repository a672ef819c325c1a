package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The README's quickstart as written, with the default settings (the restart guard on, its
 * hold-out the lease time): the annotations pass the startup check and the programmatic example
 * is accepted. (Whether its lock is granted at once depends on the guard's view of the fresh
 * nodes, so only the acceptance is asserted.)
 */
class ReadmeExamplesTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	record Receipt(String orderId) {
	}

	record Order(String id) {
	}

	record Refund(Order order) {
	}

	/** README "4. Lock", as written there. */
	static class PaymentService {

		@DistributedLock(key = "#orderId")
		public Receipt pay(String orderId) {
			return new Receipt(orderId);
		}

		@DistributedLock(name = "refunds", key = "#refund.order.id", leaseTime = "20s", waitTime = "0s", fencing = true)
		public void refund(Refund refund) {
		}

		@DistributedLock(name = "nightly-report", waitTime = "0s", holdAtLeast = "5m")
		public void nightlyReport() {
		}

	}

	@Test
	void quickstartShouldStartAndRunWithTheDefaultSettings() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()), "redlock.lease-time=30s",
					"redlock.wait-time=3s")
			.withBean(PaymentService.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LockTemplate.class).redlock().restartGuardHoldOut()).isPresent();
				LockTemplate lockTemplate = context.getBean(LockTemplate.class);
				assertThatNoException().isThrownBy(() -> {
					Optional<LockHandle> lock = lockTemplate.tryAcquire("cache-rebuild", Duration.ofSeconds(30),
							Duration.ZERO);
					assertThat(lock).as("fresh nodes lock at once, with the guard at its default").isPresent();
					lock.ifPresent(LockHandle::close);
				});
			});
	}

}
