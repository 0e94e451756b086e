using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Mote.VectorGen;

/// <summary>
/// Writer of the firmware test-vector file (format 1, little-endian; read by firmware/test/vectors.c):
///   magic "MOTEVEC1" (8 bytes), u32 case count, then per case:
///   u32 kind (the blob op code: 1 CONV_2D, 2 DEPTHWISE_CONV_2D, 3 FULLY_CONNECTED, 4 ADD,
///   5 AVERAGE_POOL_2D, 6 MAX_POOL_2D, 7 SOFTMAX; 100 = MultiplyByQuantizedMultiplier),
///   u32 name length + UTF-8 name, u32 parameter count + i32 parameters (the C struct's
///   fields in order, which are the C# *Params fields in order), u32 array count + arrays
///   (each u32 byte length + bytes; a zero-length bias means "no bias").
/// Arrays per kind: 1-3: input, filter, bias, multiplier (i32), shift (i32), expected output;
/// 4: input1, input2, expected; 5-7: input, expected; 100: x, multiplier, shift, expected (all i32).
/// </summary>
public sealed class VectorFile
{
    public const int Conv2D = 1, DepthwiseConv2D = 2, FullyConnected = 3, Add = 4, AveragePool2D = 5,
        MaxPool2D = 6, Softmax = 7, Requantize = 100;

    private readonly List<byte[]> _cases = new();

    public int Count => _cases.Count;

    public void AddCase(int kind, string name, int[] parameters, params byte[][] arrays)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write((uint)kind);
        byte[] n = Encoding.UTF8.GetBytes(name);
        w.Write((uint)n.Length);
        w.Write(n);
        w.Write((uint)parameters.Length);
        foreach (int p in parameters) w.Write(p);
        w.Write((uint)arrays.Length);
        foreach (byte[] a in arrays)
        {
            byte[] data = a ?? Array.Empty<byte>();
            w.Write((uint)data.Length);
            w.Write(data);
        }
        w.Flush();
        _cases.Add(ms.ToArray());
    }

    public void Save(string path)
    {
        using var f = File.Create(path);
        using var w = new BinaryWriter(f);
        w.Write(Encoding.ASCII.GetBytes("MOTEVEC1"));
        w.Write((uint)_cases.Count);
        foreach (byte[] c in _cases) w.Write(c);
    }

    public static byte[] I32(int[] values)
    {
        var b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(b.AsSpan(i * 4), values[i]);
        return b;
    }
}
