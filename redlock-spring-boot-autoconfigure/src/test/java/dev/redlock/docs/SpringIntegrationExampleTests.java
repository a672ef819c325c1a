package dev.redlock.docs;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Lock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.autoconfigure.RedlockIntegrationAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Spring Integration example of {@code docs/shedlock-and-spring-integration.md}, as written
 * there (its block is two tagged pieces of this file; {@code DocumentationExamplesTests} checks
 * that they match), on 3 real nodes with every setting at its default: {@code executeLocked}
 * runs its task under the registry's lock, held against every other thread, and the leader
 * initiator on the registry is granted leadership.
 */
class SpringIntegrationExampleTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	static final Queue<String> seen = new ConcurrentLinkedQueue<>();

	private LockRegistry<?> lockRegistry;

	private void ship(String id) {
		Lock other = this.lockRegistry.obtain("order:" + id);
		boolean free = CompletableFuture.supplyAsync(() -> {
			boolean locked = other.tryLock();
			if (locked) {
				other.unlock();
			}
			return locked;
		}).join();
		seen.add("shipped " + id + (free ? ", lock free for other threads" : ", lock held"));
	}

	@Test
	void executeLockedShouldRunUnderTheLockAndTheInitiatorShouldLead() {
		seen.clear();
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(RedlockAutoConfiguration.class, RedlockIntegrationAutoConfiguration.class))
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()))
			.withUserConfiguration(LeaderConfig.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				this.lockRegistry = context.getBean(LockRegistry.class);
				LockRegistry<?> lockRegistry = this.lockRegistry;
				String id = "o-3";
				await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("leader"));
				// tag::lock-registry[]
				lockRegistry.executeLocked("order:" + id, () -> ship(id));         // key redlock:integration:order:<id>
				// end::lock-registry[]
				assertThat(seen).containsExactly("leader", "shipped o-3, lock held");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class LeaderConfig {

		final Candidate myCandidate = new DefaultCandidate("instance-a", "ledger-auditor") {

			@Override
			public void onGranted(Context context) {
				super.onGranted(context);
				seen.add("leader");
			}

		};

		// tag::lock-registry[]
		@Bean LockRegistryLeaderInitiator leader(LockRegistry<?> locks) { return new LockRegistryLeaderInitiator(locks, myCandidate); }
		// end::lock-registry[]

	}

}
