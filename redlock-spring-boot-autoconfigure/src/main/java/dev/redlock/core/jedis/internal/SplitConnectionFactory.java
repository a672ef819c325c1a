package dev.redlock.core.jedis.internal;

import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.impl.DefaultPooledObject;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/** Makes the pool's connections. */
final class SplitConnectionFactory implements PooledObjectFactory<Connection> {

	private final HostAndPort node;

	private final JedisClientConfig config;

	SplitConnectionFactory(HostAndPort node, JedisClientConfig config) {
		this.node = node;
		this.config = config;
	}

	@Override
	public PooledObject<Connection> makeObject() {
		return new DefaultPooledObject<>(SplitConnection.connect(this.node, this.config));
	}

	@Override
	public void destroyObject(PooledObject<Connection> pooled) {
		pooled.getObject().disconnect();
	}

	@Override
	public boolean validateObject(PooledObject<Connection> pooled) {
		Connection connection = pooled.getObject();
		try {
			return connection.isConnected() && !connection.isBroken() && connection.ping();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@Override
	public void activateObject(PooledObject<Connection> pooled) {
	}

	@Override
	public void passivateObject(PooledObject<Connection> pooled) {
	}

}
