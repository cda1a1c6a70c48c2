import { InputError } from './errors.js'

/** Refuses a stay (a visit's or a leg's dates) that ends before it starts; dates are YYYY-MM-DD. */
export function checkDateRangeOrder (startDate: string, endDate: string): void {
  if (endDate < startDate) {
    throw new InputError('unprocessable', `endDate ${endDate} is before startDate ${startDate}.`, [
      { path: '/body/endDate', message: 'must be on or after startDate' }
    ])
  }
}
