package dev.redlock.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;

/**
 * Spring Integration's {@link RedisLockRegistry} with its defaults (spin lock) over a Lettuce
 * connection factory. With {@code registryPerThread}, each thread gets a registry of its own
 * (sharing the connection factory), as separate application instances would have: one shared
 * registry queues a JVM's threads on a local lock before they reach Redis.
 */
final class SpringIntegrationLocker implements Locker {

	private static final String REGISTRY_KEY = "bench";

	private final LettuceConnectionFactory connectionFactory;

	private final RedisLockRegistry shared;

	private final ThreadLocal<RedisLockRegistry> perThread;

	private final Queue<RedisLockRegistry> registries = new ConcurrentLinkedQueue<>();

	SpringIntegrationLocker(String uri, boolean registryPerThread) {
		URI parsed = URI.create(uri);
		this.connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(parsed.getHost(), parsed.getPort()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.shared = registryPerThread ? null : newRegistry();
		this.perThread = registryPerThread ? ThreadLocal.withInitial(this::newRegistry) : null;
	}

	private RedisLockRegistry newRegistry() {
		RedisLockRegistry registry = new RedisLockRegistry(this.connectionFactory, REGISTRY_KEY,
				Implementation.LEASE.toMillis());
		this.registries.add(registry);
		return registry;
	}

	@Override
	public boolean withLock(String key, Duration wait, Runnable criticalSection) {
		RedisLockRegistry registry = (this.shared != null) ? this.shared : this.perThread.get();
		Lock lock = registry.obtain(key);
		try {
			if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
				return false;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (RuntimeException ex) {
			// a node error or timeout: counted as not acquired
			return false;
		}
		try {
			criticalSection.run();
		}
		finally {
			try {
				lock.unlock();
			}
			catch (RuntimeException ex) {
				// a node error or timeout: the lease expires
			}
		}
		return true;
	}

	@Override
	public void close() {
		for (RedisLockRegistry registry : this.registries) {
			registry.destroy();
		}
		this.connectionFactory.destroy();
	}

}
