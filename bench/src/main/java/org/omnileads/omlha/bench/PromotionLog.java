package org.omnileads.omlha.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PostgreSQL 15 server's log says about its promotion, read from the lab's {@code postgres.log} with
 * {@code log_line_prefix = '%m [%p] '} (millisecond wall-clock stamps, truncated).
 *
 * <p>PostgreSQL 15 ends a promotion in this order (StartupXLOG in xlog.c, then the postmaster's reaper):
 * <ol>
 * <li>{@code received promote request} (pg_ctl promote or pg_promote(), which is what repmgr calls);</li>
 * <li>{@code selected new timeline ID: N};</li>
 * <li>{@code archive recovery complete} (XLogInitNewTimeline, end of the new timeline's set-up);</li>
 * <li>not logged: the end-of-recovery record is written, then {@code SharedRecoveryState = RECOVERY_STATE_DONE} and
 * the control file says "in production": from this instant {@code pg_is_in_recovery()} answers false and a
 * backend may write;</li>
 * <li>the startup process exits and the postmaster logs {@code database system is ready to accept connections}.</li>
 * </ol>
 * So the instant the standby left recovery lies between lines 3 and 5. The bench takes line 3 ("archive recovery
 * complete", the last line before the flip; its truncated stamp is never later than the flip): promotion -> VIP can
 * be overstated by the width of that bracket, never understated. The bracket (line 5 - line 3) is printed per trial,
 * and {@code --poll-recovery} checks where the flip falls in it.
 */
final class PromotionLog {
    private static final Pattern LINE = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) (\\S+) \\[(\\d+)\\] LOG:  (.*)$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final Pattern NEW_TIMELINE = Pattern.compile("selected new timeline ID: (\\d+)");

    /** The promotion's lines, as wall-clock instants; each empty until logged. */
    record Promotion(Optional<Instant> promoteRequest, Optional<Instant> newTimeline, int timeline, Optional<Instant> recoveryComplete,
            Optional<Instant> readyForConnections) {
        /** Both lines that bracket the flip are there. */
        boolean complete() {
            return recoveryComplete.isPresent() && readyForConnections.isPresent();
        }
    }

    private PromotionLog() {
    }

    /** Reads the promotion from {@code log}, from byte {@code mark} on (the log's size before the fault). */
    static Promotion read(Path log, long mark) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(mark, all.length);
        return parse(new String(all, from, all.length - from, StandardCharsets.UTF_8));
    }

    /** The first promotion in {@code text}: each later line counts only after the one before it. */
    static Promotion parse(String text) {
        Optional<Instant> request = Optional.empty();
        Optional<Instant> timeline = Optional.empty();
        int timelineId = -1;
        Optional<Instant> complete = Optional.empty();
        Optional<Instant> ready = Optional.empty();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String message = m.group(4).strip();
            Instant at;
            try {
                at = instant(m.group(1), m.group(2));
            } catch (DateTimeException e) {
                throw new IllegalStateException("cannot read the stamp of this postgres.log line: " + line, e);
            }
            if (message.equals("received promote request") && request.isEmpty() && timeline.isEmpty()) {
                request = Optional.of(at);
            } else if (timeline.isEmpty()) {
                Matcher t = NEW_TIMELINE.matcher(message);
                if (t.matches()) {
                    timeline = Optional.of(at);
                    timelineId = Integer.parseInt(t.group(1));
                }
            } else if (complete.isEmpty() && message.equals("archive recovery complete")) {
                complete = Optional.of(at);
            } else if (complete.isPresent() && ready.isEmpty() && message.equals("database system is ready to accept connections")) {
                ready = Optional.of(at);
            }
        }
        return new Promotion(request, timeline, timelineId, complete, ready);
    }

    /** {@code %m}: local time in log_timezone, then its abbreviation ("UTC") or offset ("+03"). */
    static Instant instant(String stamp, String zone) {
        ZoneId id;
        try {
            id = ZoneId.of(zone, ZoneId.SHORT_IDS);
        } catch (DateTimeException e) {
            id = ZoneId.systemDefault(); // an abbreviation Java does not know: the lab's server runs with the machine's zone
        }
        return LocalDateTime.parse(stamp, STAMP).atZone(id).toInstant();
    }
}
