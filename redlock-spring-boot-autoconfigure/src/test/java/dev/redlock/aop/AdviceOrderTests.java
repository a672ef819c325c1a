package dev.redlock.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.resilience.annotation.Retryable;

import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockRequest;
import dev.redlock.core.LockObserver;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order of the lock advisor (docs/semantics.md, "Order with other advice") against other advice: the lock is taken outside
 * {@code @Cacheable} (advice of default order: a cache hit still takes the lock); Spring
 * Framework 7's {@code @Retryable} is applied by a post-processor in front of every advisor the
 * proxy already has, so each attempt takes the lock anew (and runs under it). Lock acquisitions are
 * counted by a {@link LockObserver}.
 */
class AdviceOrderTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);


	@Test
	void cacheHitShouldStillTakeTheLock() {
		LockingContexts.on(redis, Beans.class).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			AtomicInteger acquisitions = context.getBean("acquisitions", AtomicInteger.class);
			assertThat(quotes.quote("q-1")).isEqualTo("quote 1 under [redlock:q-1]");
			assertThat(quotes.quote("q-1")).as("from the cache").isEqualTo("quote 1 under [redlock:q-1]");
			assertThat(quotes.computed()).isOne();
			assertThat(acquisitions).as("locks taken: the lock is outside the cache").hasValue(2);
		});
	}

	@Test
	void eachRetryAttemptShouldTakeTheLockAnew() {
		LockingContexts.on(redis, Beans.class).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			AtomicInteger acquisitions = context.getBean("acquisitions", AtomicInteger.class);
			assertThat(quotes.flaky("f-1")).isEqualTo("third attempt");
			assertThat(quotes.keysSeenByAttempts()).as("every attempt ran under the lock")
				.containsExactly(List.of("redlock:f-1"), List.of("redlock:f-1"), List.of("redlock:f-1"));
			assertThat(acquisitions).as("locks taken: @Retryable is outside the lock").hasValue(3);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@EnableResilientMethods
	static class Beans {

		@Bean
		Quotes quotes() {
			return new Quotes(() -> redis.servers().keysOnMajority("redlock:*"));
		}

		@Bean
		CacheManager cacheManager() {
			return new ConcurrentMapCacheManager("quotes");
		}

		@Bean
		AtomicInteger acquisitions() {
			return new AtomicInteger();
		}

		@Bean
		LockObserver countingObserver(AtomicInteger acquisitions) {
			return new LockObserver() {

				@Override
				public LockHandle acquisition(LockRequest request, Supplier<LockHandle> acquisition) {
					acquisitions.incrementAndGet();
					return acquisition.get();
				}

			};
		}

	}

	static class Quotes {

		private final Supplier<List<String>> keysInRedis;

		private final AtomicInteger computed = new AtomicInteger();

		private final AtomicInteger attempts = new AtomicInteger();

		private final List<List<String>> keysSeenByAttempts = new ArrayList<>();

		Quotes(Supplier<List<String>> keysInRedis) {
			this.keysInRedis = keysInRedis;
		}

		@Cacheable("quotes")
		@DistributedLock(key = "#id")
		public String quote(String id) {
			return "quote " + this.computed.incrementAndGet() + " under " + this.keysInRedis.get();
		}

		@Retryable(maxRetries = 2, delay = 0)
		@DistributedLock(key = "#id")
		public String flaky(String id) {
			this.keysSeenByAttempts.add(this.keysInRedis.get());
			if (this.attempts.incrementAndGet() < 3) {
				throw new IllegalStateException("attempt " + this.attempts.get() + " fails");
			}
			return "third attempt";
		}

		int computed() {
			return this.computed.get();
		}

		List<List<String>> keysSeenByAttempts() {
			return this.keysSeenByAttempts;
		}

	}

}
