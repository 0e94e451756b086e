using System;
using System.IO;
using Mote.Packer;
using Mote.Packer.Data;
using Mote.Packer.Quantization;
using Mote.Tests.Common;

namespace Mote.Device.Tests
{
    /// <summary>The ECG sample packed once in-process (float ONNX → calibrated int8 blob) plus its stream and peaks.</summary>
    public sealed class EcgFixture
    {
        public static string Dir => Path.Combine(SharedData.RepoRoot, "tools", "samples", "ecg");
        public const int Pre = 96, Size = 256, SampleRate = 360;

        public byte[] Blob { get; }
        public float[] Stream { get; }
        public long[] Peaks { get; }
        public long[] Labels { get; }

        public EcgFixture()
        {
            var g = Mote.Packer.Packer.ImportOnnx(Path.Combine(Dir, "ecg.onnx"));
            var calib = SampleLoader.Load(g, Path.Combine(Dir, "calibration.npy"));
            Blob = Mote.Packer.Packer.PackOnnx(g, calib, new QuantizeOptions(), 0).Pack.Blob;
            Stream = Npy.Load(Path.Combine(Dir, "ecg_stream.npy")).AsFloats();
            Peaks = Npy.Load(Path.Combine(Dir, "test_peaks.npy")).AsInts("test_peaks.npy");
            Labels = Npy.Load(Path.Combine(Dir, "test_y.npy")).AsInts("test_y.npy");
        }
    }
}
