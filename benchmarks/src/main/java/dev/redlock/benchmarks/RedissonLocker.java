package dev.redlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.redisson.Redisson;
import org.redisson.RedissonRedLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson with its defaults: an {@code RLock} on one node, or a {@code RedissonRedLock} over one
 * {@code RedissonClient} per node. Leases are the watchdog's (renewed while held), as with
 * {@code tryLock(wait, unit)}.
 */
final class RedissonLocker implements Locker {

	private final List<RedissonClient> clients = new ArrayList<>();

	private final boolean redLock;

	RedissonLocker(List<String> uris, boolean redLock) {
		this.redLock = redLock;
		for (String uri : uris) {
			Config config = new Config();
			config.useSingleServer().setAddress(uri);
			this.clients.add(Redisson.create(config));
		}
	}

	@Override
	@SuppressWarnings("deprecation")
	public boolean withLock(String key, Duration wait, Runnable criticalSection) {
		String fullKey = "redisson:" + key;
		RLock lock;
		if (this.redLock) {
			RLock[] locks = new RLock[this.clients.size()];
			for (int i = 0; i < locks.length; i++) {
				locks[i] = this.clients.get(i).getLock(fullKey);
			}
			lock = new RedissonRedLock(locks);
		}
		else {
			lock = this.clients.get(0).getLock(fullKey);
		}
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
		this.clients.forEach(RedissonClient::shutdown);
	}

}
