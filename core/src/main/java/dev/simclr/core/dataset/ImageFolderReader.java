package dev.simclr.core.dataset;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An image folder: one sub-folder per class (sorted by name), PNG or JPEG files inside. Images are converted to
 * {@code channels} (1 grey, 3 RGB) and, when {@code size} is given, resized to it (bilinear); without a size they
 * must all have the same size. Refuses files that resolve outside the folder (symlinks, ..), files over
 * {@code maxFileBytes}, images over {@code maxPixels}, unreadable images and empty classes. {@link #readUnlabelled}
 * reads a folder without classes.
 */
public final class ImageFolderReader {
    public record Options(Integer height, Integer width, int channels, long maxFileBytes, long maxPixels) {
        public static Options defaults(int channels) {
            return new Options(null, null, channels, 20L << 20, 4096L * 4096);
        }

        public Options resizedTo(int h, int w) {
            return new Options(h, w, channels, maxFileBytes, maxPixels);
        }
    }

    public record Result(List<String> classNames, LabelledImages images) {}

    private ImageFolderReader() {}

    public static Result read(Path folder, Options options) {
        if (options.channels() != 1 && options.channels() != 3) {
            throw new DatasetImportException("channels must be 1 or 3, got " + options.channels());
        }
        Path root = realFolder(folder);
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new DatasetImportException(folder + ": " + e.getMessage(), e);
        }
        if (classDirs.isEmpty()) {
            throw new DatasetImportException(folder + ": no class sub-folders");
        }
        List<String> classNames = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        Collector images = new Collector(root, options);
        for (Path classDir : classDirs) {
            classNames.add(classDir.getFileName().toString());
            List<Path> files;
            try (Stream<Path> s = Files.list(classDir)) {
                files = s.filter(p -> isImage(p.getFileName().toString())).sorted().toList();
            } catch (IOException e) {
                throw new DatasetImportException(classDir + ": " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new DatasetImportException(classDir + ": class '" + classDir.getFileName()
                        + "' has no PNG or JPEG images");
            }
            for (Path file : files) {
                images.add(file);
                labels.add((long) classNames.size() - 1);
            }
        }
        return new Result(classNames, images.build(labels.stream().mapToLong(Long::longValue).toArray()));
    }

    /** A folder of images without classes: its files' paths relative to the folder, and the images, unlabelled. */
    public record Unlabelled(List<String> files, LabelledImages images) {}

    /** How deep a plain folder is searched for images. */
    static final int MAX_DEPTH = 16;

    /**
     * A plain or nested folder of PNG/JPEG images without classes (an unlabelled import): every image under it, in
     * the order of their relative paths, each unlabelled; the same checks as {@link #read}.
     */
    public static Unlabelled readUnlabelled(Path folder, Options options) {
        if (options.channels() != 1 && options.channels() != 3) {
            throw new DatasetImportException("channels must be 1 or 3, got " + options.channels());
        }
        Path root = realFolder(folder);
        List<Path> files;
        try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
            files = s.filter(p -> isImage(p.getFileName().toString()) && !Files.isDirectory(p))
                    .sorted(java.util.Comparator.comparing(p -> root.relativize(p).toString())).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DatasetImportException(folder + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new DatasetImportException(folder + ": no PNG or JPEG images in it or below it");
        }
        Collector images = new Collector(root, options);
        files.forEach(images::add);
        long[] none = new long[files.size()];
        java.util.Arrays.fill(none, LabelledImages.UNLABELLED);
        return new Unlabelled(files.stream().map(p -> root.relativize(p).toString().replace('\\', '/')).toList(),
                images.build(none));
    }

    private static Path realFolder(Path folder) {
        try {
            Path root = folder.toRealPath();
            if (!Files.isDirectory(root)) {
                throw new DatasetImportException(folder + ": not a folder");
            }
            return root;
        } catch (IOException e) {
            throw new DatasetImportException(folder + ": no such folder");
        }
    }

    /** Decodes images one by one into one size (the first image's, or the options'), keeping the pixels. */
    private static final class Collector {
        private final Path root;
        private final Options options;
        private final List<byte[]> images = new ArrayList<>();
        private final int[] size;
        private String firstFile;

        Collector(Path root, Options options) {
            this.root = root;
            this.options = options;
            this.size = new int[] {options.height() == null ? -1 : options.height(),
                    options.width() == null ? -1 : options.width()};
        }

        void add(Path file) {
            BufferedImage image = load(root, file, options);
            if (options.height() == null) {
                if (size[0] < 0) {
                    size[0] = image.getHeight();
                    size[1] = image.getWidth();
                    firstFile = root.relativize(file).toString();
                } else if (image.getHeight() != size[0] || image.getWidth() != size[1]) {
                    throw new DatasetImportException("mixed image sizes: " + root.relativize(file) + " is "
                            + image.getWidth() + "x" + image.getHeight() + ", " + firstFile + " is " + size[1]
                            + "x" + size[0] + "; give a size to resize them all");
                }
            }
            images.add(pixels(image, size[0], size[1], options.channels()));
        }

        LabelledImages build(long[] labels) {
            int per = size[0] * size[1] * options.channels();
            if ((long) images.size() * per > Integer.MAX_VALUE - 64) {
                throw new DatasetImportException(images.size() + " images of " + size[0] + "x" + size[1] + "x"
                        + options.channels() + " are over 2 GiB: import them in parts or smaller");
            }
            byte[] all = new byte[images.size() * per];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(images.get(i), 0, all, i * per, per);
            }
            return new LabelledImages(size[0], size[1], options.channels(), all, labels);
        }
    }

    private static boolean isImage(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private static BufferedImage load(Path root, Path file, Options options) {
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(root)) {
                throw new DatasetImportException(root.relativize(file) + " resolves to " + real
                        + ", outside the dataset folder " + root);
            }
            long bytes = Files.size(real);
            if (bytes > options.maxFileBytes()) {
                throw new DatasetImportException(root.relativize(file) + ": " + bytes + " bytes, over the limit of "
                        + options.maxFileBytes());
            }
            try (var in = ImageIO.createImageInputStream(real.toFile())) {
                var readers = ImageIO.getImageReaders(in);
                if (!readers.hasNext()) {
                    throw new DatasetImportException(root.relativize(file) + ": not a readable PNG or JPEG image");
                }
                var reader = readers.next();
                try {
                    reader.setInput(in);
                    // check the declared size before decoding: a tiny file can declare a huge image
                    long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                    if (pixels > options.maxPixels()) {
                        throw new DatasetImportException(root.relativize(file) + ": " + reader.getWidth(0) + "x"
                                + reader.getHeight(0) + " pixels, over the limit of " + options.maxPixels());
                    }
                    return reader.read(0);
                } finally {
                    reader.dispose();
                }
            }
        } catch (IOException e) {
            throw new DatasetImportException(root.relativize(file) + ": not a readable image (" + e.getMessage() + ")",
                    e);
        }
    }

    private static byte[] pixels(BufferedImage image, int height, int width, int channels) {
        BufferedImage target = new BufferedImage(width, height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, width, height, null);
        g.dispose();
        byte[] raster = ((java.awt.image.DataBufferByte) target.getRaster().getDataBuffer()).getData();
        if (channels == 1) {
            return raster.clone();
        }
        byte[] rgb = new byte[raster.length];
        for (int i = 0; i < raster.length; i += 3) {
            rgb[i] = raster[i + 2];
            rgb[i + 1] = raster[i + 1];
            rgb[i + 2] = raster[i];
        }
        return rgb;
    }
}
