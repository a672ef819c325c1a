package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.Optional;

import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.support.locks.DefaultLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;

import dev.redlock.integration.RedlockLockRegistry;
import dev.redlock.shedlock.RedlockLockProvider;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the ShedLock provider and the Spring Integration registry are auto-configured, and when
 * they back off.
 */
class RedlockAdaptersAutoConfigurationTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class,
				RedlockShedLockAutoConfiguration.class, RedlockIntegrationAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false");

	private ApplicationContextRunner withNodes() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
	}

	@Test
	void bothAdaptersShouldBeConfiguredWhenTheirLibrariesArePresent() {
		withNodes().run((context) -> {
			assertThat(context).hasSingleBean(RedlockLockProvider.class).hasSingleBean(RedlockLockRegistry.class);
			Optional<SimpleLock> lock = context.getBean(LockProvider.class)
				.lock(new LockConfiguration(java.time.Instant.now(), "job", Duration.ofSeconds(5), Duration.ZERO));
			assertThat(lock).isPresent();
			assertThat(redis.servers().keysOnMajority("redlock:shedlock:job")).containsExactly("redlock:shedlock:job");
			lock.get().unlock();
			RedlockLockRegistry registry = context.getBean(RedlockLockRegistry.class);
			assertThat(registry.getRegistryKey()).isEqualTo("integration");
			assertThat(registry.getExpireAfter()).isEqualTo(Duration.ofSeconds(30));
		});
	}

	@Test
	void registryPropertiesShouldReachTheRegistry() {
		withNodes()
			.withPropertyValues("redlock.integration.registry-key=orders", "redlock.integration.expire-after=5s",
					"redlock.integration.auto-renew=true")
			.run((context) -> {
				RedlockLockRegistry registry = context.getBean(RedlockLockRegistry.class);
				assertThat(registry.getRegistryKey()).isEqualTo("orders");
				assertThat(registry.getExpireAfter()).isEqualTo(Duration.ofSeconds(5));
				var lock = registry.obtain("o-1");
				lock.lock();
				try {
					assertThat(redis.servers().keysOnMajority("redlock:orders:o-1")).containsExactly("redlock:orders:o-1");
				}
				finally {
					lock.unlock();
				}
			});
	}

	@Test
	void aUserLockProviderShouldReplaceOurs() {
		withNodes().withUserConfiguration(UserLockProvider.class).run((context) -> {
			assertThat(context).hasSingleBean(LockProvider.class).doesNotHaveBean(RedlockLockProvider.class);
			assertThat(context).hasSingleBean(RedlockLockRegistry.class);
		});
	}

	@Test
	void aUserLockRegistryShouldReplaceOurs() {
		withNodes().withUserConfiguration(UserLockRegistry.class).run((context) -> {
			assertThat(context).hasSingleBean(LockRegistry.class).doesNotHaveBean(RedlockLockRegistry.class);
			assertThat(context).hasSingleBean(RedlockLockProvider.class);
		});
	}

	@Test
	void withoutShedLockOrSpringIntegrationNeitherShouldBeConfigured() {
		withNodes().withClassLoader(new FilteredClassLoader(LockProvider.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RedlockLockProvider.class)
				.hasSingleBean(RedlockLockRegistry.class);
		});
		withNodes().withClassLoader(new FilteredClassLoader(LockRegistry.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RedlockLockRegistry.class)
				.hasSingleBean(RedlockLockProvider.class);
		});
	}

	@Test
	void withRedlockDisabledBothShouldStayAndTakeNoLock() {
		// redlock.enabled=false is a runtime switch: the beans stay, and their locks exclude nobody
		this.runner.withPropertyValues("redlock.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(RedlockLockProvider.class)
				.hasSingleBean(RedlockLockRegistry.class);
			LockConfiguration job = new LockConfiguration(java.time.Instant.now(), "job", Duration.ofSeconds(10),
					Duration.ZERO);
			LockProvider provider = context.getBean(LockProvider.class);
			assertThat(provider.lock(job)).isPresent();
			assertThat(provider.lock(job)).as("a second holder at once: no lock is taken").isPresent();
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserLockProvider {

		@Bean
		LockProvider userLockProvider() {
			return (configuration) -> Optional.empty();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserLockRegistry {

		@Bean
		LockRegistry<?> userLockRegistry() {
			return new DefaultLockRegistry();
		}

	}

}
