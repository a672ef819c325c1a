package dev.redlock.test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * One end of a {@link ProxyConnection}: its channel, and the bytes read from the other end that
 * wait for their delay before they are written to this one. Used by the proxy's one thread only.
 */
final class ProxySide {

	private static final int CHUNK_BYTES = 16 * 1024;

	/** Bytes waiting in one direction beyond which the proxy stops reading from the sender. */
	private static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

	final ProxyConnection connection;

	final SocketChannel channel;

	final ArrayDeque<Chunk> outbound = new ArrayDeque<>();

	private final LongSupplier delayNanos;

	ProxySide peer;

	SelectionKey key;

	boolean readEnded;

	boolean connected;

	private int pendingBytes;

	private boolean blocked;

	ProxySide(ProxyConnection connection, SocketChannel channel, LongSupplier delayNanos) {
		this.connection = connection;
		this.channel = channel;
		this.delayNanos = delayNanos;
	}

	/** Reads what the channel has and queues it for the peer. */
	void read() throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
		int read = this.channel.read(buffer);
		if (read < 0) {
			this.readEnded = true;
			this.connection.updateInterest();
			return;
		}
		if (read == 0) {
			return;
		}
		buffer.flip();
		ProxySide to = this.peer;
		// first in, first out: a chunk never overtakes the one before it, whatever their delays
		to.outbound.addLast(new Chunk(buffer, System.nanoTime() + this.delayNanos.getAsLong()));
		to.pendingBytes += read;
		this.connection.updateInterest();
	}

	/**
	 * Writes every chunk that is due, in order.
	 * @return when the next chunk is due, or {@link Long#MAX_VALUE} if none waits
	 */
	long flush(long now) throws IOException {
		if (!this.connected) {
			return Long.MAX_VALUE;
		}
		while (!this.outbound.isEmpty()) {
			Chunk head = this.outbound.peekFirst();
			if (head.due() - now > 0) {
				return head.due();
			}
			int written = this.channel.write(head.bytes());
			this.pendingBytes -= written;
			this.blocked = head.bytes().hasRemaining();
			if (this.blocked) {
				// the receiver is slow: OP_WRITE tells when to go on
				return Long.MAX_VALUE;
			}
			this.outbound.removeFirst();
		}
		return Long.MAX_VALUE;
	}

	/**
	 * The operations to wait for: connecting, reading unless the peer has too much waiting, and
	 * writing while the receiver is slow.
	 * @return the {@link SelectionKey} interest set
	 */
	int interest() {
		int ops = 0;
		if (!this.connected) {
			return SelectionKey.OP_CONNECT;
		}
		if (!this.readEnded && this.peer.pendingBytes < MAX_PENDING_BYTES) {
			ops |= SelectionKey.OP_READ;
		}
		if (this.blocked) {
			ops |= SelectionKey.OP_WRITE;
		}
		return ops;
	}

	/** Bytes read from one side, to be written to the other no earlier than {@code due}. */
	record Chunk(ByteBuffer bytes, long due) {
	}

}
