import { ArrayNotEmpty, IsEmail, Length, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import type { Role } from '../../domain/roles';
import { RoleEnum } from '../common/enums';
import { RegisterCustomerInput } from '../customers/customer.inputs';

@InputType({ description: 'Borrower self-registration: a customer profile and a password.' })
export class RegisterInput extends RegisterCustomerInput {
  @Field({ description: 'At least 10 characters.' })
  @Length(10, 200)
  password!: string;
}

@InputType()
export class CreateStaffUserInput {
  @Field()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field()
  @Length(10, 200)
  password!: string;

  @Field(() => [RoleEnum], { description: 'Staff roles only: LOAN_OFFICER, KYC_OFFICER, RISK_MANAGER, MANAGER, CREDIT_COMMITTEE, ADMIN (CUSTOMER or SYSTEM: BAD_USER_INPUT).' })
  @ArrayNotEmpty()
  roles!: Role[];
}
