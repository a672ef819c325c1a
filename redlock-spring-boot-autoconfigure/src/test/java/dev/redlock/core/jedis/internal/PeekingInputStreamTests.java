package dev.redlock.core.jedis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waiting for an answer reads what has arrived into the read-ahead, and the reads that follow
 * get every byte once, in order, whether the answer fits the read-ahead or not.
 */
class PeekingInputStreamTests {

	private ServerSocket server;

	private Socket client;

	private Socket peer;

	private PeekingInputStream input;

	/** Counts the reads that reach the socket. */
	private int socketReads;

	@BeforeEach
	void connect() throws IOException {
		this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		this.client = new Socket(InetAddress.getLoopbackAddress(), this.server.getLocalPort());
		this.peer = this.server.accept();
		InputStream socketInput = this.client.getInputStream();
		this.input = new PeekingInputStream(new InputStream() {

			@Override
			public int read() throws IOException {
				PeekingInputStreamTests.this.socketReads++;
				return socketInput.read();
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				PeekingInputStreamTests.this.socketReads++;
				return socketInput.read(buffer, offset, length);
			}

			@Override
			public int available() throws IOException {
				return socketInput.available();
			}

		});
	}

	@AfterEach
	void close() throws IOException {
		this.peer.close();
		this.client.close();
		this.server.close();
	}

	@Test
	void aShortAnswerShouldBeReadOnceAndServedFromTheReadAhead() throws IOException {
		send(":1\r\n");
		assertThat(this.input.awaitReadable(this.client, 2000)).isTrue();
		assertThat(this.input.isReadable()).isTrue();
		int readsAfterWait = this.socketReads;
		byte[] buffer = new byte[64];
		assertThat(this.input.read()).isEqualTo(':');
		int read = this.input.read(buffer, 0, buffer.length);
		assertThat(new String(buffer, 0, read, StandardCharsets.US_ASCII)).isEqualTo("1\r\n");
		assertThat(this.socketReads).as("no read reached the socket after the wait").isEqualTo(readsAfterWait);
		assertThat(this.input.isReadable()).isFalse();
	}

	@Test
	void anAnswerLargerThanTheReadAheadShouldContinueFromTheSocket() throws IOException {
		byte[] large = new byte[10_000];
		Arrays.fill(large, (byte) 'r');
		large[0] = '$';
		large[large.length - 1] = '!';
		this.peer.getOutputStream().write(large);
		this.peer.getOutputStream().flush();
		assertThat(this.input.awaitReadable(this.client, 2000)).isTrue();
		byte[] received = new byte[large.length];
		int total = 0;
		while (total < large.length) {
			int read = this.input.read(received, total, large.length - total);
			assertThat(read).isPositive();
			total += read;
		}
		assertThat(received).isEqualTo(large);
	}

	@Test
	void aWaitThatTimesOutShouldLeaveTheStreamUsableAndTheTimeoutAsItWas() throws IOException {
		this.client.setSoTimeout(1234);
		assertThat(this.input.awaitReadable(this.client, 20)).isFalse();
		assertThat(this.client.getSoTimeout()).isEqualTo(1234);
		assertThat(this.input.isReadable()).isFalse();
		send("+OK\r\n");
		assertThat(this.input.awaitReadable(this.client, 2000)).isTrue();
		byte[] buffer = new byte[16];
		int read = this.input.read(buffer, 0, buffer.length);
		assertThat(new String(buffer, 0, read, StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
	}

	@Test
	void theEndOfTheStreamShouldCountAsReadableAndReadAsEnded() throws IOException {
		this.peer.shutdownOutput();
		assertThat(this.input.awaitReadable(this.client, 2000)).isTrue();
		assertThat(this.input.isReadable()).isTrue();
		assertThat(this.input.read()).isEqualTo(-1);
		assertThat(this.input.read(new byte[4], 0, 4)).isEqualTo(-1);
		assertThat(this.input.available()).isZero();
	}

	private void send(String text) throws IOException {
		OutputStream output = this.peer.getOutputStream();
		output.write(text.getBytes(StandardCharsets.US_ASCII));
		output.flush();
	}

}
