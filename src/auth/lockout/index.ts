export {
  deviceDays,
  maxDevicesPerUser,
  maxDeviceTokens,
  type TrustedBrowser,
  type TrustedDevice,
  type TrustedDevices,
} from './devices.ts';
export {
  afterFailure,
  type Counter,
  defaultLockoutPolicy,
  delaySeconds,
  type Factor,
  type Gate,
  gate,
  type LockoutPolicy,
  lockoutPolicySchema,
} from './model.ts';
export {
  type Account,
  type Attempt,
  createLockoutService,
  type LockoutDeps,
  type LockoutService,
} from './service.ts';
