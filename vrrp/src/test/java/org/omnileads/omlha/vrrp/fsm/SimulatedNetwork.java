package org.omnileads.omlha.vrrp.fsm;

import java.util.Arrays;
import java.util.Random;

/**
 * A simulated LAN for the cluster simulation: every advert is multicast to every other node, and each copy
 * may be cut off (per directed link, so partitions can be one-way), lost, delayed by 0..{@code maxDelayNanos}
 * or duplicated. Deterministic for a given {@link Random}.
 */
final class SimulatedNetwork {

    /** Where a copy of an advert goes: to node {@code to}, {@code delayNanos} after it was sent. */
    interface Delivery {
        void deliver(int to, long delayNanos);
    }

    private final Random random;
    private final int size;
    private final long maxDelayNanos;
    private final boolean[][] cut;
    private final double[][] loss;
    private double duplication;

    SimulatedNetwork(Random random, int size, long maxDelayNanos) {
        this.random = random;
        this.size = size;
        this.maxDelayNanos = maxDelayNanos;
        this.cut = new boolean[size][size];
        this.loss = new double[size][size];
    }

    void multicast(int from, Delivery delivery) {
        for (int to = 0; to < size; to++) {
            if (to == from || cut[from][to] || (loss[from][to] > 0 && random.nextDouble() < loss[from][to])) {
                continue;
            }
            delivery.deliver(to, delay());
            if (duplication > 0 && random.nextDouble() < duplication) {
                delivery.deliver(to, delay());
            }
        }
    }

    /** Uniform, with the bounds 0 and {@code maxDelayNanos} over-represented: they are where timing bugs hide. */
    private long delay() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> maxDelayNanos;
            default -> random.nextLong(maxDelayNanos + 1);
        };
    }

    long maxDelayNanos() {
        return maxDelayNanos;
    }

    void setCut(int from, int to, boolean isCut) {
        cut[from][to] = isCut;
    }

    /** Cuts every link between the two sides, both ways, and restores the links within each side. */
    void partition(boolean[] side) {
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                cut[a][b] = side[a] != side[b];
            }
        }
    }

    void setLoss(int from, int to, double probability) {
        loss[from][to] = probability;
    }

    void setDuplication(double probability) {
        duplication = probability;
    }

    void reconnect() {
        for (boolean[] row : cut) {
            Arrays.fill(row, false);
        }
    }

    /** No cut, no loss, no duplication: only the bounded delay remains. */
    void heal() {
        reconnect();
        for (double[] row : loss) {
            Arrays.fill(row, 0);
        }
        duplication = 0;
    }
}
