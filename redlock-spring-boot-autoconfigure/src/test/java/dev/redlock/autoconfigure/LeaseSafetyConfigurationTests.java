package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lease safety through Spring: annotation attributes, properties, {@link LockLostEvent} and
 * {@link CurrentLock}, on three real Redis nodes.
 */
class LeaseSafetyConfigurationTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withUserConfiguration(Jobs.class)
		.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.node-timeout=100ms",
				"redlock.lease-time=1s", "redlock.wait-time=0s");

	private ApplicationContextRunner withNodes() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
	}

	static long nodesHolding(String key) {
		return redis.servers().all().stream().filter((server) -> server.call("GET", key) != null).count();
	}

	@Test
	void propertiesShouldReachTheEngine() {
		withNodes().withPropertyValues("redlock.renewal.enabled=false", "redlock.renewal.max-hold-time=2m",
				"redlock.renewal.interrupt-on-loss=true")
			.run((context) -> {
				RedlockSettings settings = context.getBean(Redlock.class).settings();
				assertThat(settings.renewal()).isFalse();
				assertThat(settings.maxHoldTime()).isEqualTo(Duration.ofMinutes(2));
				assertThat(settings.interruptOnLoss()).isTrue();
			});
	}

	@Test
	void nonPositiveMaxHoldTimeShouldFailStartupNamingTheProperty() {
		withNodes().withPropertyValues("redlock.renewal.max-hold-time=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(dev.redlock.core.InvalidSettingException.class));
		withNodes().withPropertyValues("redlock.renewal.max-hold-time=0s")
			.run((context) -> assertThat(context.getStartupFailure()).hasMessageContaining("redlock.renewal.max-hold-time"));
	}

	@Test
	void annotatedMethodShouldBeRenewedAndReachItsHandle() {
		withNodes().run((context) -> {
			Jobs.Job job = context.getBean(Jobs.Job.class);
			assertThat(job.longRun()).isTrue();
			await().atMost(Duration.ofSeconds(2)).until(() -> nodesHolding("redlock:long-run") == 0);
		});
	}

	@Test
	void globalSwitchShouldTurnRenewalOff() {
		withNodes().withPropertyValues("redlock.renewal.enabled=false").run((context) -> {
			Jobs.Job job = context.getBean(Jobs.Job.class);
			assertThat(job.longRun()).as("lock outlived its lease").isFalse();
		});
	}

	@Test
	void fencingAttributeShouldGiveIncreasingTokensThroughCurrentLock() {
		withNodes().run((context) -> {
			Jobs.Job job = context.getBean(Jobs.Job.class);
			long first = job.fenced();
			long second = job.fenced();
			assertThat(first).isPositive();
			assertThat(second).isGreaterThan(first);
			assertThat(CurrentLock.handle()).isEmpty();
		});
	}

	@Test
	void holdAtLeastAttributeShouldKeepTheLockAfterAQuickRun() {
		withNodes().run((context) -> {
			Jobs.Job job = context.getBean(Jobs.Job.class);
			assertThat(job.quickNightly()).isTrue();
			assertThat(nodesHolding("redlock:nightly")).isGreaterThanOrEqualTo(2);
			LockTemplate template = context.getBean(LockTemplate.class);
			assertThat(template.tryAcquire("nightly", Duration.ofSeconds(1), Duration.ZERO)).isEmpty();
			await().atMost(Duration.ofSeconds(3)).until(() -> nodesHolding("redlock:nightly") == 0);
		});
	}

	@Test
	void lostLockShouldPublishALockLostEvent() {
		withNodes().run((context) -> {
			LockTemplate template = context.getBean(LockTemplate.class);
			Jobs.LostLocks events = context.getBean(Jobs.LostLocks.class);
			// a wait time: the test is about the loss, and on a loaded machine a first attempt may miss a node
			try (LockHandle handle = template.tryAcquire("doomed", Duration.ofSeconds(1), Duration.ofSeconds(3))
				.orElseThrow()) {
				for (RedisServerProcess server : List.of(redis.get(0), redis.get(1))) {
					server.pause(Duration.ofMillis(2500));
				}
				await().atMost(Duration.ofSeconds(5)).until(() -> !handle.isValid());
				await().atMost(Duration.ofSeconds(2)).until(() -> !events.keys.isEmpty());
				assertThat(events.keys).containsExactly("redlock:doomed");
			}
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class Jobs {

		@Bean
		Job job() {
			return new Job();
		}

		@Bean
		LostLocks lostLocks() {
			return new LostLocks();
		}

		static class LostLocks {

			final List<String> keys = new CopyOnWriteArrayList<>();

			@EventListener
			void onLost(LockLostEvent event) {
				this.keys.add(event.getLock().key());
			}

		}

		static class Job {

			/**
			 * Runs for three lease times and tells whether the lock was still held on a quorum at
			 * the end.
			 */
			@DistributedLock(name = "long-run", leaseTime = "1s")
			public boolean longRun() {
				LockHandle handle = CurrentLock.handle().orElseThrow();
				long start = System.nanoTime();
				await().atMost(Duration.ofSeconds(5))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> Duration.ofNanos(System.nanoTime() - start).toMillis() > 3000);
				return handle.isValid() && nodesHolding("redlock:long-run") >= 2;
			}

			@DistributedLock(name = "ledger", fencing = true)
			public long fenced() {
				return CurrentLock.handle().orElseThrow().fencingToken().orElseThrow();
			}

			@DistributedLock(name = "nightly", leaseTime = "10s", holdAtLeast = "1500ms")
			public boolean quickNightly() {
				return CurrentLock.handle().isPresent();
			}

		}

	}

}
