package dev.redlock.core.jedis.internal;

import java.util.function.Function;
import java.util.function.Predicate;

import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.Pool;

import dev.redlock.core.Exchange;

/** A command sent on a {@link SplitConnection}, answered later. */
final class SplitExchange implements Exchange {

	private final Pool<Connection> pool;

	private final Function<RuntimeException, RuntimeException> failures;

	private final SplitConnection connection;

	private final String source;

	private final String[] arguments;

	private final Predicate<Object> check;

	private final Function<JedisDataException, Boolean> recover;

	SplitExchange(Pool<Connection> pool, Function<RuntimeException, RuntimeException> failures,
			SplitConnection connection, String source, String[] arguments, Predicate<Object> check,
			Function<JedisDataException, Boolean> recover) {
		this.pool = pool;
		this.failures = failures;
		this.connection = connection;
		this.source = source;
		this.arguments = arguments;
		this.check = check;
		this.recover = recover;
	}

	@Override
	public boolean isAnswered() {
		return this.connection.isAnswered();
	}

	@Override
	public boolean awaitAnswer(long timeoutNanos) {
		return this.connection.awaitAnswer(timeoutNanos);
	}

	@Override
	public boolean finish() {
		try {
			return read();
		}
		catch (RuntimeException ex) {
			throw this.failures.apply(ex);
		}
	}

	private boolean read() {
		Object reply;
		JedisDataException error = null;
		boolean usable = false;
		try {
			try {
				reply = this.connection.getOne();
			}
			catch (JedisNoScriptException ex) {
				if (this.source == null) {
					throw ex;
				}
				// the node restarted or flushed its scripts: send the source once
				this.connection.send(Protocol.Command.EVAL, SplitConnection.prepend(this.source, this.arguments));
				reply = this.connection.getOne();
			}
			usable = true;
		}
		catch (JedisDataException ex) {
			// an error answer: the connection is fine
			usable = true;
			error = ex;
			reply = null;
		}
		finally {
			giveBack(usable && !this.connection.isBroken());
		}
		if (error != null) {
			if (this.recover == null) {
				throw error;
			}
			return this.recover.apply(error);
		}
		return this.check.test(reply);
	}

	/** Gives the connection back; a pool that cannot make a replacement (the node is down) must not hide the answer. */
	private void giveBack(boolean usable) {
		try {
			if (usable) {
				this.pool.returnResource(this.connection);
			}
			else {
				this.pool.returnBrokenResource(this.connection);
			}
		}
		catch (RuntimeException ex) {
			// the next call to the node tells what is wrong with it
		}
	}

}
