package org.omnileads.omlha.agent.notify;

/** One channel (the exec hook, email): delivers one notification or throws with the reason it could not. */
interface Delivery {
    String name();

    void deliver(Notification notification) throws Exception;
}
