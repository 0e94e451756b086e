// Raspberry Pi + MPU6050 motion anomaly detector (.NET 8, System.Device.Gpio + Iot.Device.Bindings).
// README.md: wiring, model, run. The Mote part is the same as on the microcontrollers:
// ImuAnomalyDetector over Mote.Runtime; the model file is read in chunks by BlobLoader.
using System;
using System.Device.Gpio;
using System.Device.I2c;
using System.IO;
using System.Numerics;
using System.Threading;
using Iot.Device.Imu;
using Mote.Runtime;
using Mote.Runtime.Loading;

namespace Mote.Samples.RaspberryPi
{
    /// <summary>An <see cref="IBlobSource"/> over any Stream (file, network, serial port).</summary>
    sealed class StreamBlobSource : IBlobSource
    {
        readonly Stream stream;
        public StreamBlobSource(Stream stream) { this.stream = stream; }
        public int Read(byte[] buffer, int offset, int count) => stream.Read(buffer, offset, count);
    }

    public static class Program
    {
        const int I2cBus = 1;          // /dev/i2c-1: SDA GPIO2 (pin 3), SCL GPIO3 (pin 5)
        const int LedPin = 17;         // BCM GPIO17 (pin 11) -> 330 Ω -> LED -> GND
        const float Threshold = 0.02f; // g²
        const int SamplePeriodMs = 10;

        public static int Main(string[] args)
        {
            string path = args.Length > 0 ? args[0] : "model.mote";
            Model model;
            using (var file = File.OpenRead(path))
            {
                // One buffer of the file's size; BlobLoader checks the header's length against it first.
                var blob = new byte[file.Length];
                try
                {
                    model = BlobLoader.Load(new StreamBlobSource(file), blob, 4096);
                }
                catch (BlobLoadException e)
                {
                    Console.Error.WriteLine(path + ": " + e.Message);
                    return 1;
                }
                catch (MoteFormatException e)
                {
                    Console.Error.WriteLine(path + ": " + e.Message);
                    return 1;
                }
            }
            var detector = new ImuAnomalyDetector(model, null, 16384, Threshold);
            Console.WriteLine($"{path}: {model.Length} bytes, arena {model.ArenaBytes} bytes, window {detector.WindowSamples} samples");

            using var gpio = new GpioController();
            gpio.OpenPin(LedPin, PinMode.Output);
            using var imu = new Mpu6050(I2cDevice.Create(new I2cConnectionSettings(I2cBus, Mpu6050.DefaultI2cAddress)));
            imu.AccelerometerRange = AccelerometerRange.Range02G;

            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            while (!stop.IsCancellationRequested)
            {
                // Back to raw counts (16384 per g at ±2 g) whatever unit the binding's version reports:
                // GetAccelerometer() is raw × AccelerationScale.
                Vector3 a = imu.GetAccelerometer();
                float scale = imu.AccelerationScale;
                if (detector.Add((int)MathF.Round(a.X / scale), (int)MathF.Round(a.Y / scale), (int)MathF.Round(a.Z / scale)))
                {
                    gpio.Write(LedPin, detector.IsAnomaly ? PinValue.High : PinValue.Low);
                    Console.WriteLine($"score {detector.LastScore:F4}{(detector.IsAnomaly ? " ANOMALY" : "")}");
                }
                Thread.Sleep(SamplePeriodMs);
            }
            gpio.Write(LedPin, PinValue.Low);
            return 0;
        }
    }
}
