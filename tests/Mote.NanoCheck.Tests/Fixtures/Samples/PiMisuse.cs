// Misuses of System.Device.Gpio / Iot.Device.Bindings a Pi sample could make; each marked line must be reported.
using System.Device.Gpio;
using System.Device.I2c;
using Iot.Device.Imu;

static class PiMisuse
{
    static void Run()
    {
        using var gpio = new GpioController();
        gpio.OpenPin(17, PinMode.Output);
        gpio.Write(17, PinValue.High);
        gpio.Write(17, true, 3); // expect: Write
        using var imu = new Mpu6050(I2cDevice.Create(new I2cConnectionSettings(1, Mpu6050.DefaultI2cAddress)));
        imu.AccelerometerRange = AccelerometerRange.Range03G; // expect: Range03G
        var a = imu.GetAccelerometer();
        float x = a.X;
        imu.Calibrate(); // expect: Calibrate
    }
}
