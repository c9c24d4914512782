package dev.simclr.eval.report;

import java.util.Map;

/**
 * The reference analysis's own numbers: Nguyen, Nguyen, Le, "Semi-Supervising Learning, Transfer Learning, and
 * Knowledge Distillation with SimCLR", arXiv:2108.00587 (2021). Theirs is an ImageNet-pretrained ResNet-50 (SimCLR
 * v2 weights) fine-tuned and evaluated on TensorFlow datasets: a direction to compare ours with, not a number to
 * match on Fashion-MNIST.
 */
public final class Reference {
    private Reference() {}

    public static final String CITATION = "arXiv:2108.00587";
    public static final String NOTE = "Reference values (" + CITATION + ") come from an ImageNet-pretrained ResNet-50 "
            + "on other datasets: a direction to compare, not a number to match.";

    /** Table 1: fine-tuning with each augmentation policy, top-1. */
    public static final Map<String, Double> TABLE1 = Map.of("none", 0.784, "crop", 0.84, "flip", 0.841,
            "color", 0.839, "crop+color", 0.87, "flip+crop", 0.873, "all", 0.898);

    /** Table 2: distillation from a ResNet-50 SimCLR teacher into frozen-base students with a dense head, top-1. */
    public static final Map<String, Double> TABLE2 = Map.of("vgg", 0.65, "resnet", 0.71);

    /** Table 3: their distillation hyper-parameters. */
    public static final String TABLE3 = "100 epochs, lr 0.01, momentum 0.9, weight decay 1e-4, T 1.0";

    /** Table 4: transfer (linear layers fine-tuned, batch 64), top-1 by number of classes, with the dataset. */
    public static final Map<Integer, Double> TABLE4 = Map.of(2, 1.0, 5, 0.906, 47, 0.656, 100, 0.25, 101, 0.125);
    public static final Map<Integer, String> TABLE4_DATASET = Map.of(2, "cats-vs-dogs", 5, "tf_flowers", 47, "DTD",
            100, "CIFAR-100", 101, "Food-101");
}
