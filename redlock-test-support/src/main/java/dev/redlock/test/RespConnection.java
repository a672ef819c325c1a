package dev.redlock.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A minimal RESP2 connection for fixtures and measurements: no pooling, no dependency, so that
 * setting up, faulting or counting never goes through a client under test. Replies are a String
 * (simple or bulk string, or {@code null}), a Long, or a List; a Redis error reply is an
 * {@link IOException}.
 */
public final class RespConnection implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RespConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new BufferedInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
	}

	/**
	 * Connects, and authenticates if a password is given.
	 * @param host the host
	 * @param port the port
	 * @param timeoutMillis the connect and read timeout; 0 reads without a timeout
	 * @param password the default user's password, or {@code null}
	 * @return the connection
	 * @throws IOException if the server cannot be reached or refuses the password
	 */
	public static RespConnection open(String host, int port, int timeoutMillis, String password) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(host, port), (timeoutMillis > 0) ? timeoutMillis : 1000);
			socket.setSoTimeout(timeoutMillis);
			socket.setTcpNoDelay(true);
			RespConnection connection = new RespConnection(socket);
			if (password != null) {
				connection.call("AUTH", password);
			}
			return connection;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * Runs one command on a connection of its own.
	 * @param host the host
	 * @param port the port
	 * @param timeoutMillis the connect and read timeout
	 * @param password the default user's password, or {@code null}
	 * @param command the command and its arguments
	 * @return the reply
	 * @throws IOException on I/O errors and error replies
	 */
	public static Object call(String host, int port, int timeoutMillis, String password, String... command)
			throws IOException {
		try (RespConnection connection = open(host, port, timeoutMillis, password)) {
			return connection.call(command);
		}
	}

	/**
	 * Sends one command and returns without waiting for its reply, which a daemon thread reads
	 * before it closes the connection (for commands that block the server, such as
	 * {@code DEBUG SLEEP}).
	 * @param host the host
	 * @param port the port
	 * @param password the default user's password, or {@code null}
	 * @param command the command and its arguments
	 * @throws IOException if the command could not be sent
	 */
	public static void sendAndForget(String host, int port, String password, String... command) throws IOException {
		sendInBackground(host, port, password, command);
	}

	/**
	 * Sends one command and returns without waiting for its reply, which a daemon thread reads
	 * before it closes the connection.
	 * @param host the host
	 * @param port the port
	 * @param password the default user's password, or {@code null}
	 * @param command the command and its arguments
	 * @return completes with the {@link System#nanoTime()} at which the reply arrived, or
	 * exceptionally with the error reply or the I/O error
	 * @throws IOException if the command could not be sent
	 */
	public static CompletableFuture<Long> sendInBackground(String host, int port, String password, String... command)
			throws IOException {
		RespConnection connection = open(host, port, 1000, password);
		connection.socket.setSoTimeout(0);
		connection.send(command);
		CompletableFuture<Long> answered = new CompletableFuture<>();
		Thread drain = new Thread(() -> {
			try (connection) {
				connection.read();
				answered.complete(System.nanoTime());
			}
			catch (IOException ex) {
				answered.completeExceptionally(ex);
			}
		}, "redis-fixture-drain");
		drain.setDaemon(true);
		drain.start();
		return answered;
	}

	/**
	 * Sends a command and reads its reply.
	 * @param command the command and its arguments
	 * @return the reply
	 * @throws IOException on I/O errors and error replies
	 */
	public Object call(String... command) throws IOException {
		send(command);
		return read();
	}

	/**
	 * Sends a command without reading the reply.
	 * @param command the command and its arguments
	 * @throws IOException on I/O errors
	 */
	public void send(String... command) throws IOException {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		buffer.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.UTF_8));
		for (String part : command) {
			byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
			buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
			buffer.writeBytes(bytes);
			buffer.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		this.out.write(buffer.toByteArray());
		this.out.flush();
	}

	/**
	 * Reads one reply (or, after {@code MONITOR} or {@code SUBSCRIBE}, one pushed message).
	 * @return the reply
	 * @throws IOException on I/O errors and error replies
	 */
	public Object read() throws IOException {
		int type = this.in.read();
		String line = line();
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new IOException("Redis error: " + line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] bytes = this.in.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read());
				}
				return items;
			}
			case -1:
				throw new IOException("Connection closed by the server");
			default:
				throw new IOException("Unexpected RESP type '" + (char) type + "'");
		}
	}

	/**
	 * Whether the server has closed the connection: a read finds the end of the stream or a
	 * reset, not data and not a read timeout.
	 * @return {@code true} once the connection is closed from the other side
	 */
	public boolean readEnded() {
		try {
			return this.in.read() == -1;
		}
		catch (IOException ex) {
			return !(ex instanceof java.net.SocketTimeoutException);
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = this.in.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new IOException("Connection closed by the server");
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
