package dev.redlock.benchmarks;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * The floor: the fewest commands and waits a correct Redis lock needs. On one node, {@code SET
 * key token NX PX} and an {@code EVALSHA} compare-and-delete on the calling thread. On several,
 * the same commands sent to every node in parallel on a cached thread pool, each phase waiting
 * only for a majority of answers; a node's release is sent after its own acquire answered. No
 * retry, renewal or validity arithmetic.
 */
final class RawJedisLocker implements Locker {

	static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
			+ "else return 0 end";

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final long TIMEOUT_NANOS = Duration.ofMillis(100).toNanos();

	private final List<RedisClient> clients = new ArrayList<>();

	private final ExecutorService executor;

	private final String releaseSha;

	private final int quorum;

	private final String ttl = Long.toString(Implementation.LEASE.toMillis());

	RawJedisLocker(List<String> uris) {
		for (String uri : uris) {
			URI parsed = URI.create(uri);
			ConnectionPoolConfig pool = new ConnectionPoolConfig();
			pool.setMaxTotal(Implementation.JEDIS_POOL_SIZE);
			pool.setMaxIdle(Implementation.JEDIS_POOL_SIZE);
			pool.setMaxWait(Duration.ofMillis(100));
			this.clients.add(RedisClient.builder()
				.hostAndPort(parsed.getHost(), parsed.getPort())
				.clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(100).connectionTimeoutMillis(1000)
					.build())
				.poolConfig(pool)
				.build());
		}
		this.releaseSha = this.clients.get(0).scriptLoad(RELEASE);
		for (RedisClient client : this.clients) {
			client.scriptLoad(RELEASE);
		}
		this.quorum = uris.size() / 2 + 1;
		this.executor = (uris.size() > 1) ? new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
				new SynchronousQueue<>(), (task) -> {
					Thread thread = new Thread(task, "raw-fanout");
					thread.setDaemon(true);
					return thread;
				}) : null;
	}

	@Override
	public boolean withLock(String key, Duration wait, Runnable criticalSection) {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		String token = HexFormat.of().formatHex(bytes);
		String fullKey = "raw:" + key;
		if (this.clients.size() == 1) {
			RedisClient client = this.clients.get(0);
			try {
				if (!"OK".equals(client.set(fullKey, token, SetParams.setParams().nx().px(Implementation.LEASE.toMillis())))) {
					return false;
				}
			}
			catch (JedisException ex) {
				// the SET may have been applied while its reply was lost
				releaseQuietly(client, fullKey, token);
				return false;
			}
			try {
				criticalSection.run();
			}
			finally {
				releaseQuietly(client, fullKey, token);
			}
			return true;
		}
		List<CompletableFuture<Boolean>> acquired = new ArrayList<>(this.clients.size());
		for (RedisClient client : this.clients) {
			acquired.add(CompletableFuture.supplyAsync(() -> "OK"
				.equals(client.set(fullKey, token, SetParams.setParams().nx().px(Implementation.LEASE.toMillis()))),
					this.executor));
		}
		boolean locked = majority(acquired);
		try {
			if (locked) {
				criticalSection.run();
			}
		}
		finally {
			List<CompletableFuture<Boolean>> released = new ArrayList<>(this.clients.size());
			for (int i = 0; i < this.clients.size(); i++) {
				RedisClient client = this.clients.get(i);
				released.add(acquired.get(i).handle((ok, error) -> null)
					.thenApplyAsync((x) -> Long.valueOf(1)
						.equals(client.evalsha(this.releaseSha, List.of(fullKey), List.of(token))), this.executor));
			}
			majority(released);
		}
		return locked;
	}

	private void releaseQuietly(RedisClient client, String fullKey, String token) {
		try {
			client.evalsha(this.releaseSha, List.of(fullKey), List.of(token));
		}
		catch (JedisException ex) {
			// the lease expires
		}
	}

	/** Waits until a majority said yes, or so many said no that it cannot; bounded by 100 ms. */
	private boolean majority(List<CompletableFuture<Boolean>> calls) {
		CompletableFuture<Boolean> decided = new CompletableFuture<>();
		AtomicInteger yes = new AtomicInteger();
		AtomicInteger no = new AtomicInteger();
		int n = calls.size();
		for (CompletableFuture<Boolean> call : calls) {
			call.whenComplete((ok, error) -> {
				if (error == null && ok) {
					if (yes.incrementAndGet() >= this.quorum) {
						decided.complete(true);
					}
				}
				else if (no.incrementAndGet() > n - this.quorum) {
					decided.complete(false);
				}
			});
		}
		try {
			return decided.get(TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		if (this.executor != null) {
			this.executor.shutdown();
		}
		this.clients.forEach(RedisClient::close);
	}

}
