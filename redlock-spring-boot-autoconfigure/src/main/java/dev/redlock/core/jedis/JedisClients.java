package dev.redlock.core.jedis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;

import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

import dev.redlock.core.jedis.internal.SplitExchanges;
import dev.redlock.protocol.LockNodeSettings;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * Builds the pooled Jedis client of one member: standalone ({@link RedisClient}), Sentinel
 * ({@link RedisSentinelClient}) or Cluster ({@link RedisClusterClient}), with TLS and credentials;
 * a plain-TCP standalone member gets a pool of connections that can send now and read later.
 *
 * @param client the client
 * @param config the configuration of connections to the member (also for the release listener)
 * @param exchanges the send-now, read-later pool, or {@code null}
 */
record JedisClients(UnifiedJedis client, JedisClientConfig config, SplitExchanges exchanges) {

	static JedisClients build(LockNodeSettings options) {
		RedisNodeAddress address = options.address();
		int timeoutMillis = (int) Math.max(1, options.nodeTimeout().toMillis());
		JedisClientConfig config = clientConfig(address, timeoutMillis, options.sslSocketFactory());
		ConnectionPoolConfig pool = new ConnectionPoolConfig();
		pool.setMaxTotal(options.maxConnections());
		pool.setMaxIdle(options.maxConnections());
		pool.setMinIdle(0);
		pool.setMaxWait(options.nodeTimeout());
		pool.setBlockWhenExhausted(true);
		return switch (address.kind()) {
			case STANDALONE -> standalone(options, address, config, pool);
			case SENTINEL -> new JedisClients(RedisSentinelClient.builder()
				.masterName(address.masterName())
				.sentinels(hostsAndPorts(address.seeds()))
				.clientConfig(config)
				.sentinelClientConfig(DefaultJedisClientConfig.builder()
					.socketTimeoutMillis(timeoutMillis)
					.connectionTimeoutMillis(timeoutMillis)
					.build())
				.poolConfig(pool)
				.build(), config, null);
			case CLUSTER -> new JedisClients(RedisClusterClient.builder()
				.nodes(hostsAndPorts(address.seeds()))
				.clientConfig(config)
				.poolConfig(pool)
				.maxAttempts(3)
				.maxTotalRetriesDuration(options.nodeTimeout().multipliedBy(3))
				.build(), config, null);
		};
	}

	private static JedisClients standalone(LockNodeSettings options, RedisNodeAddress address,
			JedisClientConfig config, ConnectionPoolConfig pool) {
		HostAndPort node = new HostAndPort(address.host(), address.port());
		if (address.ssl() || !options.callerReadsAnswers()) {
			return new JedisClients(RedisClient.builder().hostAndPort(node).clientConfig(config).poolConfig(pool).build(),
					config, null);
		}
		SplitExchanges exchanges = SplitExchanges.create(address.name(), node, config, pool, JedisFailures::classify);
		return new JedisClients(RedisClient.builder().hostAndPort(node).connectionProvider(exchanges.provider()).build(),
				config, exchanges);
	}

	private static JedisClientConfig clientConfig(RedisNodeAddress address, int timeoutMillis,
			SSLSocketFactory sslSocketFactory) {
		DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
			.socketTimeoutMillis(timeoutMillis)
			.connectionTimeoutMillis(timeoutMillis)
			.database(address.database())
			.clientName("redlock")
			// no CLIENT SETINFO on connect: one command less, and an ACL user needs no +client|setinfo
			.clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
			.ssl(address.ssl());
		if (address.ssl()) {
			SSLParameters tls = new SSLParameters();
			// verify that the certificate names the host, as HTTPS does
			tls.setEndpointIdentificationAlgorithm("HTTPS");
			config.sslParameters(tls);
			if (sslSocketFactory != null) {
				config.sslSocketFactory(sslSocketFactory);
			}
		}
		if (address.user() != null) {
			config.user(address.user());
		}
		if (address.password() != null) {
			config.password(address.password());
		}
		return config.build();
	}

	private static Set<HostAndPort> hostsAndPorts(List<String> seeds) {
		Set<HostAndPort> hosts = new HashSet<>();
		for (String seed : seeds) {
			int colon = seed.lastIndexOf(':');
			hosts.add(new HostAndPort(seed.substring(0, colon).replace("[", "").replace("]", ""),
					Integer.parseInt(seed.substring(colon + 1))));
		}
		return hosts;
	}

}
