// Meadow F7 Feather + MPU6050 motion anomaly detector (Meadow.OS, Mono, netstandard2.1).
// SOURCE ONLY here: the Meadow packages are not reachable from the build machine and ../shared/apis
// has no Meadow listing, so this file is NOT compiled or stub-checked (its Mote part,
// ../Common/ImuAnomalyDetector.cs over src/Mote.Runtime, is: tools/test). Written against
// Meadow.Foundation 1.x as documented; check it in Visual Studio / the Meadow CLI. README.md.
using System;
using System.IO;
using System.Threading.Tasks;
using Meadow;
using Meadow.Devices;
using Meadow.Foundation.Sensors.Motion;
using Meadow.Hardware;
using Mote.Runtime;
using Mote.Runtime.Loading;

namespace Mote.Samples.Meadow
{
    /// <summary>An <see cref="IBlobSource"/> over a Stream (a file deployed with the app).</summary>
    sealed class StreamBlobSource : IBlobSource
    {
        readonly Stream stream;
        public StreamBlobSource(Stream stream) { this.stream = stream; }
        public int Read(byte[] buffer, int offset, int count) { return stream.Read(buffer, offset, count); }
    }

    public class MeadowApp : App<F7FeatherV2>
    {
        const int CountsPerG = 16384;   // the detector's unit: MPU6050 raw counts at ±2 g
        const float Threshold = 0.02f;  // g²

        Mpu6050 imu;
        IDigitalOutputPort led;
        ImuAnomalyDetector detector;

        public override Task Initialize()
        {
            // The model is deployed as a content file (model.mote, "Copy to output") to the user file system.
            string path = Path.Combine(MeadowOS.FileSystem.UserFileSystemRoot, "model.mote");
            Model model;
            using (var file = File.OpenRead(path))
            {
                var blob = new byte[file.Length];
                model = BlobLoader.Load(new StreamBlobSource(file), blob, 1024);
            }
            detector = new ImuAnomalyDetector(model, null, CountsPerG, Threshold);
            Resolver.Log.Info("model: " + model.Length + " bytes, arena " + model.ArenaBytes + " bytes, window " + detector.WindowSamples + " samples");

            imu = new Mpu6050(Device.CreateI2cBus());
            led = Device.CreateDigitalOutputPort(Device.Pins.D02);
            return Task.CompletedTask;
        }

        public override async Task Run()
        {
            while (true)
            {
                var reading = await imu.Read();
                var a = reading.Acceleration3D;
                if (a.HasValue && detector.Add(ToCounts(a.Value.X.Gravity), ToCounts(a.Value.Y.Gravity), ToCounts(a.Value.Z.Gravity)))
                {
                    led.State = detector.IsAnomaly;
                    Resolver.Log.Info("score " + detector.LastScore.ToString("F4") + (detector.IsAnomaly ? " ANOMALY" : ""));
                }
                await Task.Delay(10);
            }
        }

        static int ToCounts(double g) { return (int)Math.Round(g * CountsPerG); }
    }
}
