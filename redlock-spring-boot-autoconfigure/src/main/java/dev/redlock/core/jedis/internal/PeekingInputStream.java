package dev.redlock.core.jedis.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A socket's input that reads ahead: waiting for an answer reads whatever has arrived (a whole
 * lock reply, usually) into a small buffer, and the next reads are served from it without another
 * system call.
 */
final class PeekingInputStream extends FilterInputStream {

	/** Larger than any reply to a lock command; a longer reply is read on from the socket. */
	private static final int AHEAD = 256;

	private final byte[] ahead = new byte[AHEAD];

	private int position;

	private int limit;

	private boolean ended;

	PeekingInputStream(InputStream in) {
		super(in);
	}

	boolean isReadable() {
		try {
			return this.position < this.limit || this.ended || this.in.available() > 0;
		}
		catch (IOException ex) {
			return true;
		}
	}

	boolean awaitReadable(Socket socket, int timeoutMillis) throws IOException {
		if (this.position < this.limit || this.ended) {
			return true;
		}
		int readTimeout = socket.getSoTimeout();
		socket.setSoTimeout(timeoutMillis);
		try {
			int read = this.in.read(this.ahead, 0, AHEAD);
			if (read < 0) {
				this.ended = true;
			}
			else {
				this.position = 0;
				this.limit = read;
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			// nothing was read: the socket is still usable
			return false;
		}
		finally {
			socket.setSoTimeout(readTimeout);
		}
	}

	@Override
	public int read() throws IOException {
		if (this.position < this.limit) {
			return this.ahead[this.position++] & 0xff;
		}
		return this.ended ? -1 : this.in.read();
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		if (length == 0) {
			return 0;
		}
		if (this.position < this.limit) {
			int count = Math.min(length, this.limit - this.position);
			System.arraycopy(this.ahead, this.position, buffer, offset, count);
			this.position += count;
			return count;
		}
		return this.ended ? -1 : this.in.read(buffer, offset, length);
	}

	@Override
	public int available() throws IOException {
		return (this.limit - this.position) + (this.ended ? 0 : this.in.available());
	}

}
