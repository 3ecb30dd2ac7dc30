package org.omnileads.omlha.agent.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.omnileads.omlha.agent.config.NotifyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications off the VRRP path: one thread, in order (a hook never sees BACKUP before the MASTER that
 * preceded it), each channel with its own timeout and retries. A failing mail server or script is logged and
 * changes nothing else. A full queue drops the newest notification with a warning rather than block the loop.
 *
 * <p>At a stop ({@link #close}) nothing is retried any more: what is queued gets one last attempt per channel within
 * {@code closeWait} (about a second), then what is left is dropped with one log line each. A dead mail relay or a
 * hung script must not hold the stop back: systemd would still be waiting, and a restart meanwhile would find the
 * old agent holding the instance lock.
 */
public final class Notifications implements Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private static final int QUEUE = 1000;
    private static final Notification STOP = new Notification("", "", "", "", 0, "", java.time.Instant.EPOCH);

    private final List<Delivery> deliveries;
    private final int attempts;
    private final Duration retryDelay;
    private final BlockingQueue<Notification> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private final Duration closeWait;
    /** Set by close(): last attempts only, no retries, no waiting between them. */
    private volatile boolean closing;
    /** What the thread is delivering now, and through which channel; for the log line of an abandoned delivery. */
    private volatile Notification current;
    private volatile Delivery currentDelivery;
    private final Object retryWait = new Object();

    Notifications(List<Delivery> deliveries, int attempts, Duration retryDelay) {
        this(deliveries, attempts, retryDelay, Duration.ofSeconds(1));
    }

    Notifications(List<Delivery> deliveries, int attempts, Duration retryDelay, Duration closeWait) {
        this.deliveries = List.copyOf(deliveries);
        this.attempts = attempts;
        this.retryDelay = retryDelay;
        this.closeWait = closeWait;
        this.thread = new Thread(this::run, "notify");
        thread.setDaemon(true);
        thread.start();
    }

    /** The channels {@code omlha.notify} configures; {@link Notifier#NONE} when it configures none. */
    public static Notifier from(NotifyConfig config) {
        List<Delivery> deliveries = new ArrayList<>();
        config.exec().ifPresent(script -> deliveries.add(new ExecDelivery(script, Duration.ofSeconds(30))));
        config.email().ifPresent(email -> deliveries.add(new EmailDelivery(email.smtp(), email.from(), email.to(), Duration.ofSeconds(10))));
        return deliveries.isEmpty() ? Notifier.NONE : new Notifications(deliveries, 3, Duration.ofSeconds(2));
    }

    @Override
    public void notify(Notification notification) {
        if (!queue.offer(notification)) {
            log.warn("notify: {} notifications waiting; dropped: {}", QUEUE, notification.subject());
        }
    }

    private void run() {
        while (true) {
            Notification next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == STOP) {
                return;
            }
            current = next;
            for (Delivery delivery : deliveries) {
                currentDelivery = delivery;
                deliver(delivery, next);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            current = null;
        }
    }

    private void deliver(Delivery delivery, Notification notification) {
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (closing && attempt > 1) {
                log.warn("notify: stopping: {} not retried for \"{}\"", delivery.name(), notification.subject());
                return;
            }
            try {
                delivery.deliver(notification);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.warn("notify: {} failed for \"{}\" (attempt {} of {}): {}", delivery.name(), notification.subject(), attempt, attempts,
                        e.getMessage());
                if (attempt < attempts && !closing) {
                    try {
                        synchronized (retryWait) {
                            if (!closing) { // checked under the lock close() notifies with: its wake-up is never missed
                                retryWait.wait(retryDelay.toMillis() * attempt);
                            }
                        }
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * Gives what is queued one last attempt per channel for at most {@code closeWait}, then drops what is left (one
     * log line each) and stops the thread.
     */
    @Override
    public void close() {
        closing = true;
        synchronized (retryWait) {
            retryWait.notifyAll();
        }
        queue.offer(STOP);
        try {
            thread.join(closeWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            return;
        }
        Notification stuck = current;
        Delivery channel = currentDelivery;
        List<Notification> left = new ArrayList<>();
        queue.drainTo(left);
        thread.interrupt(); // a script is killed by its own timeout; a mail send is abandoned with the daemon thread
        if (stuck != null && channel != null) {
            log.warn("notify: stopping: {} still busy with \"{}\" after {} ms; abandoned", channel.name(), stuck.subject(),
                    closeWait.toMillis());
        }
        for (Notification dropped : left) {
            if (dropped != STOP) {
                log.warn("notify: stopping: dropped \"{}\" (not delivered within {} ms of the stop)", dropped.subject(),
                        closeWait.toMillis());
            }
        }
        try {
            thread.join(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
