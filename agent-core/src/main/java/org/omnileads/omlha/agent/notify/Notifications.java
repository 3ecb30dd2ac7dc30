package org.omnileads.omlha.agent.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.omnileads.omlha.agent.config.NotifyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications off the VRRP path: one thread, in order (a hook never sees BACKUP before the MASTER that
 * preceded it), each channel with its own timeout and retries. A failing mail server or script is logged and
 * changes nothing else. A full queue drops the newest notification with a warning rather than block the loop.
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

    Notifications(List<Delivery> deliveries, int attempts, Duration retryDelay) {
        this.deliveries = List.copyOf(deliveries);
        this.attempts = attempts;
        this.retryDelay = retryDelay;
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
            for (Delivery delivery : deliveries) {
                deliver(delivery, next);
            }
        }
    }

    private void deliver(Delivery delivery, Notification notification) {
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                delivery.deliver(notification);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.warn("notify: {} failed for \"{}\" (attempt {} of {}): {}", delivery.name(), notification.subject(), attempt, attempts,
                        e.getMessage());
                if (attempt < attempts) {
                    try {
                        Thread.sleep(retryDelay.toMillis() * attempt);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** Delivers what is queued (bounded wait), then stops. */
    @Override
    public void close() {
        queue.offer(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
