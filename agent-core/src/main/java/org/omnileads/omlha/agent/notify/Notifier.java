package org.omnileads.omlha.agent.notify;

/** Where notifications go. The VRRP loop calls {@link #notify} and never waits: delivery happens elsewhere. */
public interface Notifier extends AutoCloseable {
    Notifier NONE = new Notifier() {
        @Override
        public void notify(Notification notification) {}

        @Override
        public void close() {}
    };

    void notify(Notification notification);

    @Override
    void close();
}
