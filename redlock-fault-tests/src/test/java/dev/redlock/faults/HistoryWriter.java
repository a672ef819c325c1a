package dev.redlock.faults;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client's operation history, one event a line: {@code <time> <event> <hold> <fields…>}. Times
 * are {@link System#nanoTime()} readings, taken when the event happened; on Linux HotSpot that is
 * {@code CLOCK_MONOTONIC}, one clock for every process of the machine (the suite checks it), so
 * the histories of all clients can be merged.
 *
 * <ul>
 * <li>{@code REQUEST hold kind fenced holdAtLeastNanos key,key…}: an acquisition begins</li>
 * <li>{@code GRANT hold token deadline}: the lock is held from this time until {@code deadline}
 * (the time plus {@code remaining()}); token {@code -1} without fencing</li>
 * <li>{@code VALID hold deadline}: renewal moved the deadline</li>
 * <li>{@code EXTEND hold ok|no deadline}: an explicit {@code extend} and the deadline after it</li>
 * <li>{@code WRITE hold key token accepted|rejected}: a write to the fenced resource</li>
 * <li>{@code END hold}: the work under the lock is over, the release begins</li>
 * <li>{@code FAIL hold contended|free reason}: not acquired; {@code contended} when some node
 * answered that another owner held the key</li>
 * <li>{@code LOST hold key}: the engine reported the lock lost</li>
 * <li>{@code ERROR hold text}: an exception the workload did not expect</li>
 * </ul>
 */
final class HistoryWriter implements AutoCloseable {

	enum Event {

		REQUEST, GRANT, VALID, EXTEND, WRITE, END, FAIL, LOST, ERROR

	}

	private final BufferedWriter out;

	private final ReentrantLock lock = new ReentrantLock();

	HistoryWriter(Path file) {
		try {
			this.out = Files.newBufferedWriter(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the history " + file, ex);
		}
	}

	void request(long at, String hold, String kind, boolean fenced, long holdAtLeastNanos, List<String> keys) {
		line(at, Event.REQUEST, hold, kind, fenced ? "fenced" : "plain", Long.toString(holdAtLeastNanos),
				String.join(",", keys));
	}

	void grant(long at, String hold, long token, long deadline) {
		line(at, Event.GRANT, hold, Long.toString(token), Long.toString(deadline));
	}

	void valid(long at, String hold, long deadline) {
		line(at, Event.VALID, hold, Long.toString(deadline));
	}

	void extend(long at, String hold, boolean ok, long deadline) {
		line(at, Event.EXTEND, hold, ok ? "ok" : "no", Long.toString(deadline));
	}

	void write(long at, String hold, String key, long token, boolean accepted) {
		line(at, Event.WRITE, hold, key, Long.toString(token), accepted ? "accepted" : "rejected");
	}

	void end(long at, String hold) {
		line(at, Event.END, hold);
	}

	void fail(long at, String hold, boolean contended, String reason) {
		line(at, Event.FAIL, hold, contended ? "contended" : "free", oneWord(reason));
	}

	void lost(long at, String hold, String key) {
		line(at, Event.LOST, hold, key);
	}

	void error(long at, String hold, Throwable error) {
		line(at, Event.ERROR, hold, oneWord(error.toString()));
	}

	private static String oneWord(String text) {
		String flat = (text != null) ? text.replaceAll("\\s+", "_") : "-";
		return flat.length() > 300 ? flat.substring(0, 300) : flat;
	}

	private void line(long at, Event event, String hold, String... fields) {
		StringBuilder line = new StringBuilder(64).append(at).append(' ').append(event).append(' ').append(hold);
		for (String field : fields) {
			line.append(' ').append(field);
		}
		String text = line.append('\n').toString();
		locked(() -> this.out.write(text));
	}

	void flush() {
		locked(this.out::flush);
	}

	@Override
	public void close() {
		locked(this.out::close);
	}

	private interface Io {

		void run() throws IOException;

	}

	private void locked(Io io) {
		this.lock.lock();
		try {
			io.run();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the history", ex);
		}
		finally {
			this.lock.unlock();
		}
	}

}
