using System;
using System.IO;

namespace Mote.VectorGen;

/// <summary>
/// mote-vectorgen --out FILE [--seed N]: writes the firmware kernel test vectors (see
/// <see cref="VectorFile"/>). Every expected output comes from the C# reference kernel
/// (src/Mote.Runtime/Kernels/Reference), every multiplier from the packer's TFLM-exact
/// quantization math, so the C kernels are checked against the oracle the whole runtime
/// is held to. Shapes and values are random with a fixed seed (the same file every run),
/// plus edge cases: all -128 / all 127 data, zero points at both limits, odd channel
/// counts, padding, strides, dilation, positive shifts, softmax rows at TFLM's limit.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string output = null;
        int seed = 20240601;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                case "--seed" when i + 1 < args.Length: seed = int.Parse(args[++i]); break;
                default:
                    Console.Error.WriteLine($"mote-vectorgen: unknown argument '{args[i]}'. Usage: mote-vectorgen --out FILE [--seed N]");
                    return 2;
            }
        }
        if (output == null)
        {
            Console.Error.WriteLine("mote-vectorgen: --out FILE is required");
            return 2;
        }
        var file = new VectorFile();
        var gen = new Cases(new Random(seed), file);
        gen.All();
        string dir = Path.GetDirectoryName(Path.GetFullPath(output));
        Directory.CreateDirectory(dir);
        file.Save(output);
        Console.WriteLine($"mote-vectorgen: {file.Count} cases (seed {seed}) -> {output}");
        return 0;
    }
}
